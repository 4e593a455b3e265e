#!/usr/bin/env bash
# Test-only tools (never in the product's path): a headless browser for the report test, zip,
# Slurm and munge (the Slurm executor's tests start a one-node cluster of their own),
# and a Python virtual environment (.venv-ci) with h5py (an independent HDF5 reader) and
# roc-validator (the RO-Crate community's validator), whose JSON-LD context is cached offline
# from the copy the rocrate package ships (these machines reach PyPI and Debian only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  need=""
  for p in chromium zip slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
  done
  if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    # One at a time: a package this mirror lacks skips its own tests, not the others'.
    for p in $need; do
      apt-get install -y -qq "$p" >/dev/null || echo "could not install $p (its tests will be skipped)" >&2
    done
  fi
fi
if [ ! -x .venv-ci/bin/rocrate-validator ]; then
  if ! python3 -m venv .venv-ci 2>/dev/null; then
    # Debian splits venv out of python3; without it the venv tests are skipped, CI goes on.
    rm -rf .venv-ci
    { [ "$(id -u)" = 0 ] && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv .venv-ci; } \
      || echo "no Python venv: the h5py and RO-Crate validator tests will be skipped" >&2
  fi
  if [ -x .venv-ci/bin/pip ]; then
    .venv-ci/bin/pip install -q h5py numpy roc-validator rocrate || echo "PyPI packages unavailable: their tests will be skipped" >&2
  fi
fi
ctx=$(ls .venv-ci/lib/python3*/site-packages/rocrate/data/ro-crate.jsonld 2>/dev/null | head -n 1 || true)
if [ -n "$ctx" ] && [ ! -f .venv-ci/roc-cache/cache.sqlite ]; then
  mkdir -p .venv-ci/roc-cache
  .venv-ci/bin/python scripts/rocrate-offline-cache.py .venv-ci/roc-cache/cache "$ctx" \
    https://w3id.org/ro/crate/1.1/context https://w3id.org/ro/crate/1.2/context https://w3id.org/ro/crate/1.3/context >/dev/null
fi
