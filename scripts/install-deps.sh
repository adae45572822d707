#!/usr/bin/env bash
# Installs what kseg needs to build and test from Debian 12 packages; idempotent and non-interactive.
# The CUDA toolkit is optional (detected at configure time) and not installed here.
set -euo pipefail

packages=(build-essential cmake libeigen3-dev libcli11-dev nlohmann-json3-dev libfast-float-dev
          libgtest-dev googletest libbenchmark-dev libssl-dev libopenmpi-dev openmpi-bin
          zlib1g-dev libzstd-dev python3-venv python3-dev ccache libboost-math-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: every Debian package is installed"
else
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Python side (.venv/): pyarrow for Parquet, references for the tests.
"$(dirname "$0")/install-python-deps.sh"
