/// Public access to the engine's hashing (the same SHA-256 the records hold).
public enum FileDigest {
    public static func sha256(_ path: String) -> String? { Hashing.sha256(file: path) }
    public static func sha256(text: String) -> String { Hashing.sha256(text) }
}
