import Foundation
import HDF5
import PipelineEngine
import TestSupport
import XCTest

/// The default spec end to end (reduced sizes CI can afford): every figure exists with its
/// provenance, `audit` reaches every artifact, and the paper's claims hold on the numbers.
final class PaperClaimsTests: XCTestCase {
    func read(_ path: String, _ name: String) throws -> [Double] {
        let f = try HDF5File.open(path)
        defer { f.close() }
        return try f.root.readDoubles(name).values
    }

    func row(_ path: String, T: Double) throws -> (omega: [Double], sigma: [Double]) {
        let omega = try read(path, "omega"), temps = try read(path, "temperature"), sigma = try read(path, "sigma")
        let i = temps.firstIndex { abs($0 - T) < 1e-9 }!
        return (omega, Array(sigma[i * omega.count..<(i + 1) * omega.count]))
    }

    func testDefaultSpecDrawsEveryFigureAndThePapersClaimsHold() throws {
        let s = Scratch()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = try String(contentsOf: root.appendingPathComponent("pipelines/default.json"), encoding: .utf8)
        s.write(spec)
        let run = try CLI.run(["run", "spec.json", "--jobs", "2"], in: s.dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let d = s.dir + "/data/spec/"

        // Every dataset of every artifact carries its units; every artifact names its spec.
        for name in filesUnder(d).filter({ $0.hasSuffix(".h5") && !$0.contains("/") }) {
            let f = try HDF5File.open(d + name)
            defer { f.close() }
            for ds in try f.root.datasetNames() {
                XCTAssertNotNil(try f.root.attribute(onDataset: ds, "units"), "\(name): dataset \(ds) has no units")
            }
            let prov = try JSONValue.parse(try f.root.attribute("provenance") ?? "{}")
            XCTAssertEqual(prov["spec"]?["name"]?.stringValue, "default", name)
            XCTAssertEqual(prov["spec"]?["sha256"]?.stringValue?.count, 64, name)
        }

        // Every figure file exists, is non-empty and is named by its provenance record.
        for name in ["fig1", "fig2", "fig3", "fig4", "fig5", "fig3a-static-rta"] {
            for ext in ["pdf", "png", "dat", "gp", "provenance.json"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: s.dir + "/figures/spec/\(name).\(ext)")[.size] as? Int) ?? 0
                XCTAssertGreaterThan(size, 100, "\(name).\(ext)")
            }
            let prov = try JSONValue.parse(try String(contentsOfFile: s.dir + "/figures/spec/\(name).provenance.json", encoding: .utf8))
            XCTAssertEqual(prov["files"]?.arrayValue?.compactMap(\.stringValue), ["pdf", "png", "dat", "gp"].map { "\(name).\($0)" })
        }
        // A figure's record holds its whole chain: a referee with only figures/ sees N, M and the seed.
        let fig1 = try JSONValue.parse(try String(contentsOfFile: s.dir + "/figures/spec/fig1.provenance.json", encoding: .utf8))
        let ftlmAncestor = fig1["ancestors"]?.arrayValue?.first { $0["kind"]?.stringValue == "ftlm" }
        XCTAssertNotNil(ftlmAncestor?["params"]?["lanczos_steps"]?.intValue, "\(fig1["ancestors"] ?? .null)")
        XCTAssertNotNil(ftlmAncestor?["params"]?["sites"]?.intValue)
        XCTAssertNotNil(ftlmAncestor?["seeds"]?["seed"])
        XCTAssertNotNil(ftlmAncestor?["code"]?["git_commit"])
        // audit figures/fig3.pdf reaches every artifact fig3 was drawn from, down to the roots.
        let audit = try CLI.run(["audit", "figures/spec/fig3.pdf"], in: s.dir)
        XCTAssertEqual(audit.status, 0, audit.stderr)
        for needle in ["data/spec/ftlm@omega0=0.05.h5", "data/spec/ftlm-filtered@omega0=0.05.h5", "data/spec/dmft@omega0=0.05.h5",
                       "data/spec/static.h5", "data/spec/static-filtered.h5", "data/spec/rta-caption@omega0=0.05.h5", "data/spec/fit-rta.h5", "data/spec/ftlm-dc@omega0=0.2.h5",
                       "data/spec/fit.h5", "data/spec/sw-ftlm.h5", "data/spec/sw-dmft.h5"] {
            XCTAssertTrue(audit.stdout.contains(needle), "audit of fig3 must reach \(needle)")
        }
        XCTAssertFalse(audit.stdout.contains("CHANGED") || audit.stdout.contains("MISSING"))

        // (1) FTLM σ(ω) at ω0 = 0.05, T = 1 peaks at ω_L within [0.35, 0.65] (δ = 0.04 filter).
        let ft = try row(d + "ftlm-filtered@omega0=0.05.h5", T: 1)
        let k = ft.omega.indices.filter { ft.omega[$0] > 0.1 && ft.omega[$0] < 2 }.max { ft.sigma[$0] < ft.sigma[$1] }!
        XCTAssertGreaterThan(ft.omega[k], 0.35)
        XCTAssertLessThan(ft.omega[k], 0.65)
        // (1b) Fig. 2 inset: for slow TLSs (ω0 ≤ 0.2) the finite-frequency peak sits at ω_L ≈ 0.5–0.6
        // whatever ω0; at N = 10 the maxima for ω0 ≥ 0.5 are within the errors and are no peaks.
        let w0Peak = try read(d + "peak.h5", "omega0"), peaks = try read(d + "peak.h5", "peak")
        for (w0, pk) in zip(w0Peak, peaks) {
            if w0 <= 0.2 {
                XCTAssertGreaterThan(pk, 0.45, "ω0 = \(w0)"); XCTAssertLessThan(pk, 0.7, "ω0 = \(w0)")
            } else {
                XCTAssertTrue(pk.isNaN, "ω0 = \(w0): a maximum at \(pk) should be within the errors at N = 10")
            }
        }
        // The inset marks each ω0 without a peak by an arrow (in the PDF and the PNG script), not
        // by a point at a wiggle's ordinate; Fig. 4b names the T* arrows that lie off its axis.
        let gp2 = try String(contentsOfFile: s.dir + "/figures/spec/fig2.gp", encoding: .utf8)
        let noPeaks = peaks.filter(\.isNaN).count
        XCTAssertGreaterThan(noPeaks, 0)
        XCTAssertEqual(gp2.components(separatedBy: "\"no peak\"").count - 1, 2 * noPeaks, gp2)
        // The main panel names the system its curves come from (here every point of the inset too).
        XCTAssertTrue(gp2.contains("σ(ω) at T = 1, N = 10"), "Fig. 2 must name its system")
        XCTAssertTrue(gp2.contains("inset: finite-frequency peak\""), "no inset point comes from another system here")
        let gp4 = try String(contentsOfFile: s.dir + "/figures/spec/fig4.gp", encoding: .utf8)
        XCTAssertTrue(gp4.contains("T* of ω0 = 0.02, 0.05 off the T axis"), "Fig. 4b must say which T* arrows are not drawn")
        // (2) There, ρ_FTLM > ρ_DMFT beyond three statistical errors. Not beyond the band: at
        // N = 10, M = 150 the resolution error (rho_low includes it) is as large as the effect,
        // which is what the band now says; at the paper's M = 1200 it is not.
        let tF = try read(d + "ftlm-dc@omega0=0.05.h5", "temperature"), rhoF = try read(d + "ftlm-dc@omega0=0.05.h5", "rho")
        let rhoErr = try read(d + "ftlm-dc@omega0=0.05.h5", "rho_error")
        let tD = try read(d + "dmft@omega0=0.05.h5", "temperature"), rhoD = try read(d + "dmft@omega0=0.05.h5", "rho")
        let i1 = try XCTUnwrap(tF.firstIndex(of: 1)), j1 = try XCTUnwrap(tD.firstIndex(of: 1))
        XCTAssertGreaterThan(rhoF[i1] - 3 * rhoErr[i1], rhoD[j1])
        // (3) Total spectral weights agree within 5% (both are π⟨−K⟩/2; the FTLM batch error is
        // ~1% here), while SW(0.25) of FTLM is lower (localisation moves weight to ω_L).
        let swF = try read(d + "sw-ftlm.h5", "sw"), swD = try read(d + "sw-dmft.h5", "sw"), w0s = try read(d + "sw-ftlm.h5", "omega0")
        let i = w0s.firstIndex(of: 0.05)!
        XCTAssertEqual(swF[i * 2 + 1] / swD[i * 2 + 1], 1, accuracy: 0.05)
        XCTAssertLessThan(swF[i * 2], swD[i * 2])
        // (4) The RTA σ_dc follows FTLM at low ω0: same order of magnitude at T = 1 for ω0 ≤ 0.05
        // (a loose bound: the default spec's FTLM chain, N = 10, is far from the static chain's N = 600).
        for w0 in ["0.02", "0.05"] {
            let rtaT = try read(d + "rta@omega0=\(w0).h5", "temperature")
            let rta = try read(d + "rta@omega0=\(w0).h5", "sigma_dc")[try XCTUnwrap(rtaT.firstIndex(of: 1))]
            let ftlm = try read(d + "ftlm-dc@omega0=\(w0).h5", "sigma_dc")[tF.firstIndex(of: 1)!]
            XCTAssertGreaterThan(rta / ftlm, 0.2, "ω0 = \(w0)")
            XCTAssertLessThan(rta / ftlm, 5, "ω0 = \(w0)")
        }
        // (4b) Fig. 3b's grey line: Eq. 5 fitted to RTA σ_dc at T = 1, filtered as the caption says
        // (δ = 0.01 at ω0 = 0.02, 0.04 otherwise), gives the paper's ω̄ = 0.375 within 5%. Size: the
        // default static chain (N = 600, 64 realisations) gives 0.377 ± 0.005; N = 300 and 1200 with
        // the same sampling gave 0.377 ± 0.007 and 0.364 ± 0.003 (measured), so neither the chain
        // length nor the statistics (1.3%) move it by 5%. Unfiltered (Eq. 4) σ_dc gives about 0.41.
        let omegaBar = try read(d + "fit-rta.h5", "omega_bar")[0], omegaBarError = try read(d + "fit-rta.h5", "omega_bar_error")[0]
        XCTAssertEqual(omegaBar / 0.375, 1, accuracy: 0.05, "ω̄ = \(omegaBar) ± \(omegaBarError)")
        XCTAssertLessThan(omegaBarError, 0.02 * omegaBar, "the fit's own error must be well inside the 5%")
        // (5) ρ_DMFT drops exponentially below T ≈ ω0: ln ρ falls by more than ω0·Δ(1/T)/2 between
        // T ≈ ω0/5 and T ≈ ω0/2 (activated behaviour; a power law would fall far less).
        for (w0, tLow, tHigh) in [(0.5, 0.1, 0.3), (1.0, 0.2, 0.5), (2.0, 0.3, 1.0)] {
            let path = d + "dmft@omega0=\(w0).h5"
            let temps = try read(path, "temperature"), rho = try read(path, "rho")
            let lo = temps.firstIndex { abs($0 - tLow) < 1e-9 }!, hi = temps.firstIndex { abs($0 - tHigh) < 1e-9 }!
            XCTAssertGreaterThan(log(rho[hi] / rho[lo]), 0.5 * w0 * (1 / temps[lo] - 1 / temps[hi]), "ω0 = \(w0)")
        }
        // A second run does nothing.
        XCTAssertTrue(try CLI.run(["run", "spec.json"], in: s.dir).stdout.contains("nothing to do"))

        // (ED) The default spec's FTLM ρ agrees with exact diagonalisation at the same N = 10 within
        // its reported total error: |ρ_FTLM − ρ_ED| ≤ 3 × statistical + resolution, at the central
        // δ of the paper's band, for every ω0 and T the default spec computes. The resolution
        // error (same runs at M/2) is what makes this hold at M = 150: the bias reaches 39% there.
        s.write(#"""
        {"name": "ed", "defaults": {"g": 1.0}, "stages": [
          {"id": "ed", "kind": "ed", "sweep": {"omega0": [0.02, 0.05, 0.2, 0.5, 1.0, 2.0]}, "params": {"sites": 10, "temperatures": [0.1, 0.2, 0.5, 1.0, 2.0, 5.0]}},
          {"id": "ed-dc", "kind": "dc", "inputs": {"spectrum": "ed"}, "params": {"paper_band": true}}
        ]}
        """#, to: "ed.json")
        let edRun = try CLI.run(["run", "ed.json", "--jobs", "2"], in: s.dir)
        XCTAssertEqual(edRun.status, 0, edRun.stderr)
        for w0 in ["0.02", "0.05", "0.2", "0.5", "1.0", "2.0"] {
            let ftlm = d + "ftlm-dc@omega0=\(w0).h5", exact = s.dir + "/data/ed/ed-dc@omega0=\(w0).h5"
            let T = try read(ftlm, "temperature"), rf = try read(ftlm, "rho"), re = try read(exact, "rho")
            let stat = try read(ftlm, "rho_error"), res = try read(ftlm, "rho_resolution_error")
            for i in T.indices {
                XCTAssertLessThanOrEqual(abs(rf[i] - re[i]), 3 * stat[i] + res[i],
                                         "ω0 = \(w0), T = \(T[i]): FTLM \(rf[i]), ED \(re[i]), statistical \(stat[i]), resolution \(res[i])")
            }
        }
    }
    /// The folder of `make paper-controlled`'s artifacts in this checkout, or a skip that says how
    /// to make them (about 2.5 hours of work on two cores: CI cannot).
    func paperControlled(_ needed: [String]) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let d = root.appendingPathComponent("data/paper-controlled").path + "/"
        try XCTSkipUnless(needed.allSatisfy { FileManager.default.fileExists(atPath: d + $0) },
                          "no paper-controlled artifacts (\(needed.joined(separator: ", "))) in \(d): run `make paper-controlled` (about 2.5 hours on two cores) to check the claims at the paper's sizes")
        return d
    }

    func at(_ temps: [Double], _ T: Double) throws -> Int { try XCTUnwrap(temps.firstIndex { abs($0 - T) < 1e-9 }, "no T = \(T)") }

    /// The paper's claims on `make paper-controlled`'s artifacts (N = 16, M = 1200; Fig. 4a N = 18),
    /// where the sizes resolve what the default spec cannot. Hours of work, so CI cannot make
    /// them: this reads `data/paper-controlled/` of the checkout and is skipped, saying so, when it
    /// is absent. Every bound is a statement of the paper, with the artifacts' own errors.
    func testPaperControlledFigures1to3() throws {
        let d = try paperControlled(["peak.h5", "../../figures/paper-controlled/fig2.gp", "fit-rta.h5", "sw-ftlm.h5", "sw-dmft.h5", "ftlm-fast-dc@omega0=0.5.h5", "ftlm-slow-dc@omega0=0.05.h5"])
        // Slow TLSs are in the ftlm-slow stages, fast ones in ftlm-fast.
        func ftlm(_ what: String, _ w0: Double) -> String {
            d + "ftlm-\(w0 <= 0.05 ? "slow" : "fast")-\(what)@omega0=\(w0).h5"
        }

        // (1) Displaced Drude peak: at ω0 = 0.05, T = 1 σ(ω) peaks at ω_L ≈ 0.5 t.
        let ft = try row(ftlm("filtered", 0.05), T: 1)
        let k = ft.omega.indices.filter { ft.omega[$0] > 0.1 && ft.omega[$0] < 2 }.max { ft.sigma[$0] < ft.sigma[$1] }!
        XCTAssertGreaterThan(ft.omega[k], 0.35); XCTAssertLessThan(ft.omega[k], 0.65)
        // (2) Fig. 2 inset: the finite-frequency peak sits at ω_L for slow TLSs and moves to the TLS
        // frequency for fast ones (at T = 1: a maximum at ω ≥ ω0 once ω0 > ω_L).
        // At ω0 = 2 the inset reads the twist average (N = 18): there σ(ω) at T = 1 has no maximum
        // beyond its errors, as DMFT and ED at N = 10 with 100 twists (docs/measurements.md); N = 16
        // without twists has finite-size maxima at 1.07 and 2.0 instead.
        let w0Peak = try read(d + "peak.h5", "omega0"), candidates = try read(d + "peak.h5", "candidate")
        let peaks = try read(d + "peak.h5", "peak")
        for (i, w0) in w0Peak.enumerated() {
            if w0 <= 0.2 { XCTAssertEqual(peaks[i], 0.55, accuracy: 0.15, "ω0 = \(w0)") }
            if w0 == 1 { XCTAssertGreaterThan(peaks[i], 0.8 * w0, "ω0 = \(w0): the peak should follow ω0") }
            if w0 == 2 { XCTAssertTrue(peaks[i].isNaN, "ω0 = 2: no peak expected, found one at \(peaks[i]) (largest maximum \(candidates[i]))") }
        }
        XCTAssertEqual(Set(w0Peak), [0.02, 0.05, 0.2, 0.5, 1, 2], "the inset's ω0")
        // The peak artifact says which system each ω0 was read from, and Fig. 2's inset names
        // the one that is not the main panel's (N = 16 without twists).
        let peakFile = try HDF5File.open(d + "peak.h5")
        let labels = try JSONDecoder().decode([String].self, from: Data(try XCTUnwrap(peakFile.root.attribute("curve_labels")).utf8))
        peakFile.close()
        XCTAssertEqual(labels.count, w0Peak.count)
        XCTAssertTrue(labels[try XCTUnwrap(w0Peak.firstIndex(of: 2))].contains("N = 18, 108 sampled twists"), labels.description)
        let gp2 = try String(contentsOfFile: d + "../../figures/paper-controlled/fig2.gp", encoding: .utf8)
        XCTAssertTrue(gp2.contains("σ(ω) at T = 1, N = 16") && gp2.contains("(ω0 = 2: N = 18, 108 sampled twists)"), "Fig. 2 must say which system each point comes from")
        // (3) FTLM ρ > DMFT ρ whenever the peak is displaced (ω0 = 0.02, 0.05 at T ≤ 1): beyond the
        // whole δ band and the errors; at ω0 = 0.5 ≈ ω_L FTLM ≈ DMFT within a factor 1.5 at T ≥ 0.5.
        for w0 in [0.02, 0.05, 0.5] {
            let f = ftlm("dc", w0), dm = d + "dmft@omega0=\(w0).h5"
            let tF = try read(f, "temperature"), low = try read(f, "rho_low"), rho = try read(f, "rho")
            let stat = try read(f, "rho_error"), res = try read(f, "rho_resolution_error")
            let tD = try read(dm, "temperature"), rhoD = try read(dm, "rho")
            for T in [0.5, 1.0] {
                let i = try at(tF, T), j = try at(tD, T)
                if w0 < 0.1 {
                    XCTAssertGreaterThan(low[i] - stat[i] - res[i], rhoD[j], "ω0 = \(w0), T = \(T)")
                } else {
                    XCTAssertEqual(log(rho[i] / rhoD[j]), 0, accuracy: log(1.5), "ω0 = \(w0), T = \(T): FTLM \(rho[i]), DMFT \(rhoD[j])")
                }
            }
        }
        // (4) ρ ∝ T at high T: between T = 2 and 5 ρ grows by 2.5 (linear) within 30%, every ω0 of Fig. 1.
        for w0 in [0.02, 0.05, 0.2, 0.5] {
            let f = ftlm("dc", w0), T = try read(f, "temperature"), rho = try read(f, "rho")
            XCTAssertEqual(rho[try at(T, 5)] / rho[try at(T, 2)], 2.5, accuracy: 0.75, "ω0 = \(w0)")
        }
        // (5) Total spectral weight: FTLM = DMFT (both π⟨−K⟩/2) within 3%, and SW(0.25) lower in
        // FTLM for slow TLSs (weight moved to ω_L by localisation).
        let swF = try read(d + "sw-ftlm.h5", "sw"), swD = try read(d + "sw-dmft.h5", "sw"), w0s = try read(d + "sw-ftlm.h5", "omega0")
        for (i, w0) in w0s.enumerated() {
            XCTAssertEqual(swF[i * 2 + 1] / swD[i * 2 + 1], 1, accuracy: 0.03, "ω0 = \(w0)")
            if w0 <= 0.2 { XCTAssertLessThan(swF[i * 2], swD[i * 2], "ω0 = \(w0)") }
        }
        // (6) Fig. 3b: Eq. 5 with ω̄ = 0.375 fitted to RTA (caption filters), within 5%.
        let omegaBar = try read(d + "fit-rta.h5", "omega_bar")[0]
        XCTAssertEqual(omegaBar / 0.375, 1, accuracy: 0.05, "ω̄ = \(omegaBar)")
    }

    /// Fig. 4a on `make paper-controlled`'s artifacts: the stratified twist average at N = 18.
    func testPaperControlledFigure4a() throws {
        let d = try paperControlled(["ftlm-tw-filtered.h5", "dmft@omega0=2.0.h5"])
        // Fig. 4a: twist-averaged FTLM at ω0 = 2, N = 18 agrees with DMFT at every T and
        // frequency over the decades σ spans: within "3σ" of its total error, or a factor 1.3 (DMFT
        // is exact only in infinite dimensions; the paper calls the agreement striking, not exact),
        // at 99% of the frequencies (1500 correlated points per T: a few beyond are chance), except
        // a dip near ω ≈ 0.5 that FTLM has and DMFT has not (asserted below as a finding).
        // The error is a spread of B batches, so a deviation over it follows Student's t with B − 1
        // d.o.f.: "3σ" is its 99.73% two-sided quantile (3.85 for B = 12), not 3, which with 11
        // d.o.f. covers only 98.8% and would fail agreement in expectation 1.2% of the time.
        let tw = d + "ftlm-tw-filtered.h5", dm2 = d + "dmft@omega0=2.0.h5"
        let raw = try HDF5File.open(d + "ftlm-tw.h5")
        let batches = try raw.root.readDoubles("batch_weight").shape[0]
        raw.close()
        let k = studentQuantile(coverage: 0.9973, dof: batches - 1)
        let dip = 0.43...0.52
        let omega = try read(tw, "omega"), temps = try read(tw, "temperature"), sigma = try read(tw, "sigma")
        let err = try read(tw, "sigma_error"), res2 = try read(tw, "sigma_resolution_error")
        let omegaD = try read(dm2, "omega"), tD = try read(dm2, "temperature"), sigmaD = try read(dm2, "sigma")
        var decades: [Double] = []
        for (r, T) in temps.enumerated() {
            let j = try at(tD, T), n = omega.count, nD = omegaD.count
            var lo = Double.infinity, hi = 0.0, points = 0
            var misses: [String] = [], dipRatios: [Double] = []
            for (c, w) in omega.enumerated() where w >= 0.1 && w <= 7.5 {
                // DMFT on its own grid, linearly interpolated.
                guard let u = omegaD.firstIndex(where: { $0 >= w }), u > 0 else { continue }
                let f = (w - omegaD[u - 1]) / (omegaD[u] - omegaD[u - 1])
                let s = sigmaD[j * nD + u - 1] * (1 - f) + sigmaD[j * nD + u] * f
                let x = sigma[r * n + c], e = err[r * n + c] + res2[r * n + c]
                if dip.contains(w) { dipRatios.append(x / s); continue }
                points += 1
                if !(abs(x - s) <= k * e || abs(log(x / s)) <= log(1.3)) {
                    misses.append(String(format: "ω = %.3f: FTLM %.3g ± %.2g, DMFT %.3g", w, x, e, s))
                }
                lo = min(lo, s); hi = max(hi, s)
            }
            XCTAssertLessThanOrEqual(Double(misses.count), 0.01 * Double(points),
                                     "T = \(T): \(misses.count) of \(points) frequencies disagree: \(misses.prefix(12).joined(separator: "; "))")
            decades.append(log10(hi / lo))
            // A finding, not a tolerance: the N = 18 twist average has a dip near ω ≈ 0.45–0.5
            // that DMFT lacks, beyond the errors at T = 0.5 (FTLM 0.03–0.1 ± 0.03 against 0.16) and
            // T = 1 (0.44 ± 0.03 against 0.6); at T = 2 it is gone. The window is left out of
            // the count above and asserted here, so that a change of it shows.
            let meanRatio = exp(dipRatios.map { log(max($0, 1e-3)) }.reduce(0, +) / Double(max(1, dipRatios.count)))
            print(String(format: "Fig. 4a: T = %g, FTLM / DMFT over 0.43 ≤ ω ≤ 0.52: %.2f (geometric mean)", T, meanRatio))
            if T <= 1 { XCTAssertLessThan(meanRatio, 0.85, "T = \(T): the FTLM dip near ω ≈ 0.5 (docs/measurements.md)") }
        }
        print("Fig. 4a: DMFT σ spans \(decades) decades over 0.1 ≤ ω ≤ 7.5 at T = \(temps)")
    }

    /// The quantile the Fig. 4a test uses, checked where CI runs it (that test is skipped there).
    func testStudentQuantileMatchesScipy() {
        XCTAssertEqual(studentQuantile(coverage: 0.9973, dof: 100_000), 3, accuracy: 1e-3)  // the Gaussian's 3σ
        XCTAssertEqual(studentQuantile(coverage: 0.9973, dof: 11), 3.8499, accuracy: 1e-3)  // scipy.stats.t.ppf
    }

    func studentQuantile(coverage: Double, dof: Int) -> Double { StudentT.quantile(coverage: coverage, dof: Double(dof)) }
}
