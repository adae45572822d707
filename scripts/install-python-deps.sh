#!/usr/bin/env bash
# Creates .venv/ at the repository root (once) and installs scripts/python-requirements.txt into it; idempotent.
# The build finds pyarrow's Arrow/Parquet libraries there, and tests run their Python references with .venv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
if .venv/bin/python -m pip install -q --disable-pip-version-check -r scripts/python-requirements.txt; then
  echo "install-python-deps: .venv ready ($(.venv/bin/python --version))"
else
  echo "install-python-deps: pip failed; Parquet support and the Python reference tests will be skipped" >&2
fi
