#!/usr/bin/env bash
# From a fresh machine to segment files: install dependencies, build Release, segment the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
build/cli/kseg fit build/example/users.csv --k 6 --out segments
echo
echo "Segment files are in $(pwd)/segments. Segment your own users with:"
echo "  build/cli/kseg fit YOUR_USERS.csv --k 6 --out YOUR_DIR"
