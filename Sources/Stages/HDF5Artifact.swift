import HDF5
import PipelineEngine

/// Stage kinds whose primary output is one HDF5 artifact: provenance goes into root attributes.
public protocol HDF5StageKind: StageKind {}

extension HDF5StageKind {
    public func stamp(outputPaths: [String], provenance: JSONValue) throws {
        try ProvenanceAttributes.write(provenance, to: outputPaths[0])
    }
}

enum ProvenanceAttributes {
    /// Writes the whole record as `provenance` and each field as its own attribute
    /// (strings as they are, everything else as JSON) so `h5dump -A` shows them one by one.
    static func write(_ provenance: JSONValue, to path: String) throws {
        let file = try HDF5File.openForUpdate(path)
        defer { file.close() }
        try file.root.setAttribute("provenance", provenance.pretty)
        for (name, value) in provenance.objectMembers ?? [] {
            try file.root.setAttribute(name, value.stringValue ?? value.canonical)
        }
        try DatasetUnits.fill(file.root)
        // The last write of every artifact: a failed flush (full disk) fails the stage here.
        try file.finish()
    }

    /// The provenance record of an artifact, or nil if it has none.
    static func read(_ path: String) throws -> JSONValue? {
        let file = try HDF5File.open(path)
        defer { file.close() }
        guard let text = try file.root.attribute("provenance") else { return nil }
        return try JSONValue.parse(text)
    }
}

/// Common description attributes of datasets.
enum Units {
    static let omega = ["units": DatasetUnits.energy, "meaning": "frequency ω"]
    static let temperature = ["units": "t/k_B", "meaning": "temperature T"]
    static let sigma = ["units": DatasetUnits.conductivity, "meaning": "optical conductivity σ(ω) per particle"]
    static let rho = ["units": DatasetUnits.resistivity, "meaning": "resistivity ρ = 1/σ_dc"]
}
