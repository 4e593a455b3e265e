import Foundation

/// An input slot of a stage kind: which other stages feed it.
public struct InputSpec: Sendable {
    public let name: String
    public let required: Bool
    /// Whether the slot takes several artifacts (e.g. every instance of a sweep).
    public let multiple: Bool
    public let help: String
    /// The stage kinds whose artifacts the slot accepts (nil: any), checked at validation.
    public let accepts: [String]?

    public init(_ name: String, required: Bool = true, multiple: Bool = false, accepts: [String]? = nil, help: String) {
        self.name = name
        self.required = required
        self.multiple = multiple
        self.accepts = accepts
        self.help = help
    }
}

/// Where a stage's output lives: the data folder (artifacts) or the figures folder.
public enum OutputFolder: String, Sendable { case data, figures }

/// One file a stage instance produces, relative to its folder.
public struct OutputFile: Sendable, Equatable {
    public let folder: OutputFolder
    public let name: String
    public init(_ folder: OutputFolder, _ name: String) { self.folder = folder; self.name = name }
}

/// An artifact handed to a stage as input.
public struct InputArtifact: Sendable {
    public let stage: String
    public let path: String
    public let sha256: String
    public let key: String
    /// What the artifact says about the physics behind it: its own parameters and those of its
    /// single-artifact ancestors (its provenance `lineage`), e.g. the ω0 of the FTLM run a
    /// filtered curve came from. The same in a pipeline and in `tlspipe compute`.
    public let params: Params

    public init(stage: String, path: String, sha256: String, key: String, params: Params) {
        self.stage = stage; self.path = path; self.sha256 = sha256; self.key = key; self.params = params
    }

    /// A numeric parameter of the artifact's lineage (nil if it has none).
    public func parameter(_ name: String) -> Double? { params[name]?.doubleValue }
}

/// Everything a stage run sees: its parameters, its inputs, where to write, how to report.
public struct StageContext: Sendable {
    public let stageID: String
    public let params: Params
    public let inputs: [String: [InputArtifact]]
    /// Temporary paths, one per declared output, in declaration order; renamed into place on success.
    public let outputPaths: [String]
    /// The stage key (hex SHA-256); seeds of sharded work derive from it.
    public let key: String
    public let progress: @Sendable (Double, String) -> Void
    /// Cores this piece of work may use now (threads for loops): the machine's cores shared
    /// among the stages or shards the engine is running (`CoreShare`); it grows when others
    /// finish, so read it again between pieces of work. Results must not depend on it.
    public var threads: Int {
        get { cores?.threads ?? fixedThreads }
        set { fixedThreads = newValue; cores = nil }
    }
    /// The live share the engine runs this work in (nil: `threads` is fixed).
    public var cores: CoreShare?
    var fixedThreads = ProcessInfo.processInfo.activeProcessorCount

    public init(stageID: String, params: Params, inputs: [String: [InputArtifact]], outputPaths: [String], key: String,
                progress: @escaping @Sendable (Double, String) -> Void, cores: CoreShare?) {
        self.stageID = stageID; self.params = params; self.inputs = inputs; self.outputPaths = outputPaths
        self.key = key; self.progress = progress; self.cores = cores
    }

    /// The same context reporting progress elsewhere (one shard's share of its stage's bar).
    public func reporting(to progress: @escaping @Sendable (Double, String) -> Void) -> StageContext {
        var c = StageContext(stageID: stageID, params: params, inputs: inputs, outputPaths: outputPaths, key: key,
                             progress: progress, cores: cores)
        if cores == nil { c.threads = fixedThreads }
        return c
    }

    public func input(_ name: String) -> InputArtifact? { inputs[name]?.first }
    public func inputs(_ name: String) -> [InputArtifact] { inputs[name] ?? [] }
}

/// Memory (or another size) a parameter set implies, checked before anything is allocated.
public struct SizeEstimate: Sendable {
    /// The parameter to blame (the one a user would lower).
    public let parameter: String
    public let bytes: Double
    /// What the bytes are, e.g. "Krylov basis 2 × M × 2^N complex numbers".
    public let what: String
    public init(parameter: String, bytes: Double, what: String) { self.parameter = parameter; self.bytes = bytes; self.what = what }
}

/// What a stage reports back for its provenance (seeds used, libraries, notes).
public struct StageReport: Sendable {
    public var extra: [(String, JSONValue)]
    /// Things a user must know about the numbers (logged as warnings, kept in the provenance).
    public var warnings: [String] = []
    public init(_ extra: [(String, JSONValue)] = [], warnings: [String] = []) { self.extra = extra; self.warnings = warnings }
}

/// A kind of stage. The engine knows stage kinds only through this protocol; the physics
/// registers concrete kinds at the edge (module Stages).
public protocol StageKind: Sendable {
    /// The name used in specs (`"static-disorder"`).
    var name: String { get }
    /// Bumped whenever the numbers this kind produces could change: part of every stage key.
    var version: Int { get }
    var summary: String { get }
    var parameters: [ParameterSpec] { get }
    var inputs: [InputSpec] { get }
    /// Files produced by instance `id` with these parameters; the first is the primary artifact.
    func outputs(id: String, params: Params) -> [OutputFile]
    /// Checks relations between parameters that single-parameter types cannot express.
    /// Returns (parameter name, message) pairs.
    func validate(_ params: Params) -> [(String, String)]
    /// Checks what the kind needs of its inputs as the spec wires them (slots a recipe needs, a
    /// temperature the inputs compute): problems as (parameter name or "inputs.SLOT", message).
    func validate(_ params: Params, inputs: [String: [InputFacts]]) -> [(String, String)]
    /// Memory its parameters imply (largest allocations), checked at validation against the limit.
    func sizes(_ params: Params) -> [SizeEstimate]
    /// Computes the outputs into `context.outputPaths`.
    func run(_ context: StageContext) throws -> StageReport
    /// Writes the final provenance record into the finished outputs (HDF5 attributes, JSON beside a figure).
    func stamp(outputPaths: [String], provenance: JSONValue) throws
}

extension StageKind {
    public func validate(_ params: Params) -> [(String, String)] { [] }
    public func outputs(id: String, params: Params) -> [OutputFile] { [OutputFile(.data, id + ".h5")] }
    public func sizes(_ params: Params) -> [SizeEstimate] { [] }
    public func validate(_ params: Params, inputs: [String: [InputFacts]]) -> [(String, String)] { [] }
}

/// An input as the spec wires it, known before anything runs: its stage, kind and lineage (its
/// parameters and those of its single-input ancestors, from the spec).
public struct InputFacts: Sendable {
    public let stage: String
    public let kind: String
    public let lineage: Params
}

/// An error a stage raises for a problem with its input data (exit code 1, message shown as is).
public struct StageError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The set of stage kinds a driver knows.
public struct StageRegistry: Sendable {
    public private(set) var kinds: [String: any StageKind] = [:]
    public init(_ kinds: [any StageKind] = []) { for k in kinds { register(k) } }
    /// A later registration of the same name replaces the earlier one (tests swap kinds).
    public mutating func register(_ kind: any StageKind) {
        kinds[kind.name] = kind
    }
    public subscript(name: String) -> (any StageKind)? { kinds[name] }
    public var names: [String] { kinds.keys.sorted() }
}

/// A stage kind whose work splits into independent shards (e.g. batches of FTLM random vectors).
/// The engine runs missing shards in parallel, each into its own file named by the stage key (so
/// an interrupted run keeps the shards it finished), then merges them into the outputs. A kind
/// must make the merged result independent of the number of shards.
///
/// Error-controlled kinds work in rounds: after every round of `shardCount` shards the kind sees
/// all shard files so far and says whether it needs another round (up to `maxRounds`). Shard
/// `shard` of round r is global index r·count + shard. The decision depends only on the files,
/// so an interrupted run makes the same decisions when it resumes.
public protocol ShardedStageKind: StageKind {
    func shardCount(_ params: Params) -> Int
    /// Computes shard `shard` (0-based, global over rounds) of `count` per round into the file `output`.
    func runShard(_ context: StageContext, shard: Int, count: Int, output: String) throws
    /// Builds the stage outputs (`context.outputPaths`) from every shard file, in shard order.
    func merge(_ context: StageContext, shards: [String]) throws -> StageReport
    /// The most rounds of shards (1 unless the kind controls its own error).
    func maxRounds(_ params: Params) -> Int
    /// Whether the shard files so far (in order, whole rounds) call for another round.
    func needsAnotherRound(_ context: StageContext, shards: [String]) throws -> Bool
    /// Memory one shard implies on its own (a cluster task runs one; `sizes` covers the shards
    /// a whole stage runs at once on this machine).
    func sizesPerShard(_ params: Params) -> [SizeEstimate]
}

extension ShardedStageKind {
    public func maxRounds(_ params: Params) -> Int { 1 }
    public func needsAnotherRound(_ context: StageContext, shards: [String]) throws -> Bool { false }
    public func sizesPerShard(_ params: Params) -> [SizeEstimate] { sizes(params) }

    /// Sharded kinds run only through their shards (`StageExecution`), never as a whole.
    public func run(_ context: StageContext) throws -> StageReport {
        throw StageError("\(name) runs through its shards")
    }
}
