#!/usr/bin/env python3
"""Errors of the Fig. 4a sampling study (pipelines/fig4a-sampling.json): median relative
statistical and resolution error of σ (δ = 0.02) over three ω ranges, per exact window, number
of twists and temperature. Usage: scripts/fig4a-sampling.py [data/fig4a-sampling]"""
import glob, json, os, sys
import h5py, numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else "data/fig4a-sampling"
ranges = [(0.05, 1.5), (1.5, 2.5), (2.5, 4.5)]
print("| window | twists | T | " + " | ".join(f"{lo}–{hi}: stat. (res.)" for lo, hi in ranges) + " | wall s |")
print("|---|---|---|" + "---|" * len(ranges) + "---|")
for f in sorted(glob.glob(f"{d}/tw-filtered@*.h5")):
    inst = os.path.basename(f)[len("tw-filtered@"):-3]
    p = dict(kv.split("=") for kv in inst.split(","))
    h = h5py.File(f)
    om = h["omega"][:]
    wall = h5py.File(f"{d}/tw@{inst}.h5").attrs["wall_seconds"]
    for i, t in enumerate(h["temperature"][:]):
        cells = []
        for lo, hi in ranges:
            m = (om > lo) & (om < hi)
            s = np.abs(h["sigma"][i][m])
            cells.append(f"{100*np.median(h['sigma_error'][i][m]/s):.1f}% ({100*np.median(h['sigma_resolution_error'][i][m]/s):.1f}%)")
        print(f"| {p['exact_window']} | {p['twists']} | {t} | " + " | ".join(cells) + f" | {float(wall):.0f} |")
