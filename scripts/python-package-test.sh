#!/usr/bin/env bash
# The Python package as a user installs it: builds kseg's wheel the way `pip install .` does, with pyproject.toml's
# build requirements (scikit-build-core, nanobind, pyarrow) taken from .venv/ instead of a fresh isolated environment
# and a fixed build directory build-wheel/, so that reruns are incremental (an isolated build recompiles the CUDA
# kernels and nanobind every time, as its paths change). It installs the wheel into a throwaway virtual environment
# with nothing but its declared dependencies and runs tests/python/test_package.py there from a directory outside the
# source tree, so that the installed package, not python/, is what gets imported; that run also checks the wheel's
# contents (the extension, py.typed, the stubs, no build junk), that the build is portable (no -march=native) and that
# the CUDA backend is in it exactly where CMake found nvcc. Where it is (nvcc exists), a second wheel built with
# KSEG_CUDA=OFF (build-wheel-cpu/) is installed and tested the same way: the CPU-only package needs no CUDA library.
# Last, mypy (where pip can get it) type-checks a small program against the installed package's annotations.
# Called by scripts/test.sh; needs python3 with venv and pip's access to PyPI (or its cache). KSEG_CUDA_ARCHS (as in
# scripts/test.sh) narrows the CUDA architectures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}
build_python=$root/.venv/bin/python
build_dir=$root/build-wheel
work=$(mktemp -d /tmp/kseg-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

if command -v ccache > /dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
fi
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} PIP_DISABLE_PIP_VERSION_CHECK=1

if ! "$build_python" -c "import scikit_build_core, nanobind, pyarrow" 2> /dev/null; then
  echo "python-package-test: SKIPPED: .venv/ lacks scikit-build-core, nanobind or pyarrow" \
       "(scripts/install-python-deps.sh installs them)"
  exit 0
fi
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip)
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp "$root/tests/python/test_package.py" "$work/"
cuda_args=()
[ -n "${KSEG_CUDA_ARCHS:-}" ] && cuda_args+=(--config-settings=cmake.define.CMAKE_CUDA_ARCHITECTURES="$KSEG_CUDA_ARCHS")

# Builds a wheel into $work/dist-NAME with the build directory DIR and extra pip arguments, installs it (replacing
# any kseg there) with its dependencies, and runs the package tests against it.
wheel_test() {
  local name=$1 dir=$2
  shift 2
  echo "python-package-test: building the $name wheel (build dir $dir)"
  "$build_python" -m pip wheel "$root" --no-deps --no-build-isolation -w "$work/dist-$name" \
    --config-settings=build-dir="$dir" -q "$@"
  local wheel
  wheel=$(ls "$work/dist-$name"/kseg-*.whl)
  echo "python-package-test: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) kB); installing it with its dependencies"
  "${pip[@]}" install -q --force-reinstall --no-deps "$wheel"
  "${pip[@]}" install -q "$wheel" pytest
  (cd "$work" && KSEG_WHEEL="$wheel" KSEG_WHEEL_BUILD_DIR="$dir" KSEG_EXPECTED_SITE="$site" OMP_NUM_THREADS=2 \
     "$work/venv/bin/python" -m pytest -q -p no:cacheprovider -rs test_package.py)
}

wheel_test default "$build_dir" "${cuda_args[@]}"
if "$work/venv/bin/python" -c "import sys, kseg; sys.exit(0 if kseg._kseg.cuda_compiled() else 1)"; then
  wheel_test cpu-only "$root/build-wheel-cpu" --config-settings=cmake.define.KSEG_CUDA=OFF
fi

# The stubs as a type checker sees them (PEP 561): a typed use of the public API, and a mistake it must reject.
if "${pip[@]}" install -q mypy 2> /dev/null; then
  cat > "$work/typed_use.py" << 'EOF'
import numpy as np
import kseg

km: kseg.KMeans = kseg.KMeans(n_clusters=3, random_state=0).fit(np.zeros((10, 2), dtype=np.float32))
labels = km.predict(np.ones((2, 2)))
score: float = km.score(np.ones((2, 2)))
seg: kseg.Segmenter = kseg.Segmenter(k=3, hierarchy=True, with_path=True).fit("users.csv")
segments = seg.assign("new.parquet", mode="nearest-leaf")
ids: np.ndarray = seg.predict("new.csv")
sweep = seg.sweep("users.csv", k=range(2, 6), seeds=2)
drift: dict = seg.drift("new.csv", psi_threshold=0.2)
fresh: kseg.Segmenter = seg.update("new.csv", batch_size=256)
moved: dict = seg.compare(fresh, table="new.csv")
profiles = seg.profiles()
seg.save("model.json")
loaded: kseg.Segmenter = kseg.Segmenter.load("model.json", device="cpu")
files: list[str] = seg.write("out", out_format="parquet")
built: kseg.ProfileBuild = kseg.profile_build("events.csv", user_column="user_id", time_column="t", windows=[7, 30])
built.write("profiles/users.csv")
EOF
  # Wrong calls mypy must reject: a KMeans misuse, an unknown assign mode, a drift report taken for text, a
  # category share that is neither "events" nor "amount".
  printf 'import kseg\nkseg.KMeans(n_clusters="three").fit(1, 2, 3, 4)\n' > "$work/typed_mistake.py"
  printf 'import kseg\nkseg.Segmenter.load("m.json").assign("u.csv", mode="nearest")\n' > "$work/typed_mistake_mode.py"
  printf 'import kseg\ns: str = kseg.Segmenter().update("u.csv").drift("u.csv")\n' > "$work/typed_mistake_result.py"
  printf 'import kseg\nkseg.profile_build("e.csv", user_column="u", time_column="t", category_share="spend")\n' \
    > "$work/typed_mistake_profile.py"
  (cd "$work" && "$work/venv/bin/python" -m mypy --no-incremental --ignore-missing-imports typed_use.py)
  for mistake in typed_mistake typed_mistake_mode typed_mistake_result typed_mistake_profile; do
    if (cd "$work" && "$work/venv/bin/python" -m mypy --no-incremental --ignore-missing-imports "$mistake.py" \
          > "$work/mistake.log"); then
      echo "python-package-test: mypy accepted a wrong call ($mistake.py): the annotations are not seen" >&2
      exit 1
    fi
  done
  echo "python-package-test: mypy rejects wrong calls, as it must"
else
  echo "python-package-test: mypy not installable (offline?): type check skipped"
fi
echo "python-package-test: passed"
