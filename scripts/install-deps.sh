#!/usr/bin/env bash
# Installs the Debian packages tlspipe needs, if any is missing. As root it runs apt-get;
# otherwise it prints the exact command and fails.
set -euo pipefail
pkgs="libhdf5-dev hdf5-tools liblapacke-dev libopenblas-dev gnuplot-nox graphviz zip pkg-config"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $missing >/dev/null
else
  echo "missing Debian packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 1
fi
