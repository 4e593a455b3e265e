import HDF5

/// Units of every dataset the stage kinds write, by name, in the units of the paper
/// (t = ħ = e = a = k_B = 1: energies and frequencies in t, temperatures in t/k_B, σ per
/// particle in e²a²/ħ, ρ = 1/σ in ħ/(e²a²)). Stamping adds the `units` attribute to any dataset
/// written without one, so a reader of any artifact sees its units.
enum DatasetUnits {
    static let energy = "t"
    static let conductivity = "e²a²/ħ per particle"
    static let resistivity = "ħ/(e²a²) per particle"
    static let weight = "e²a²/ħ · t (σ integrated over ω)"
    static let none = "1 (a pure number)"

    static let byName: [String: String] = [
        "omega": energy, "omega0": energy, "nu": energy, "cutoff": energy, "peak": energy, "omega_bar": energy, "omega_bar_error": energy,
        "curve_omega0": energy, "delta": energy, "delta_central": energy, "bin_width": energy, "e0": energy, "p": energy,
        "temperature": "t/k_B",
        "kinetic_energy": energy, "batch_kinetic_energy": energy, "kinetic": energy,
        "self_energy": energy, "gamma": energy, "green": "1/t", "dos": "1/t",
        "sigma": conductivity, "sigma_error": conductivity, "sigma_dc": conductivity, "sigma_dc_error": conductivity,
        "sigma_dc_by_delta": conductivity, "sigma_resolution_error": conductivity, "sigma_dc_resolution_error": conductivity,
        "rho_resolution_error": resistivity, "coarse_weight": weight, "coarse_drude_weight": weight, "coarse_weighted_omega": weight + " · t", "curve": conductivity, "amplitude": "e²a²/ħ per particle / t (A of Eq. 5)",
        "rho": resistivity, "rho_error": resistivity, "rho_low": resistivity, "rho_high": resistivity,
        "weight": weight, "batch_weight": weight, "drude_weight": weight, "batch_drude_weight": weight,
        "weight_beyond": weight, "total_weight": weight, "sw": weight, "sw_error": weight,
        "weighted_omega": weight + " · t", "batch_weighted_omega": weight + " · t",
        "rms": conductivity, "iterations": none, "residual": none, "z": none, "batch_index": none, "exact_states": none,
        "drude": weight, "beyond": weight, "candidate": energy, "prominence": conductivity, "prominence_error": conductivity,
    ]

    /// Adds `units` to the datasets of `group` that have none and whose name is known.
    static func fill(_ group: HDF5Group) throws {
        for name in try group.datasetNames() where try group.attribute(onDataset: name, "units") == nil {
            if let u = byName[name] { try group.setAttribute(onDataset: name, "units", u) }
        }
    }
}
