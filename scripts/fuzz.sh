#!/usr/bin/env bash
# Bounded libFuzzer runs (clang, ASan + UBSan) of the CSV reader, the .npy reader, the model loader and profile-build's
# CSV scan (against the tokenizer), each from its seed corpus in tests/fuzz/corpus/. KSEG_FUZZ_SECONDS (default 60)
# bounds each target. A crash leaves its input in build-fuzz/findings/ and fails the run: turn it into a regression
# case (tests/fuzz/corpus/ and the bad-input corpus) and fix the reader.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${KSEG_FUZZ_SECONDS:-60}
command -v clang++ > /dev/null || {
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libomp-dev
}
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DKSEG_CUDA=OFF \
  -DKSEG_BUILD_BENCH=OFF -DKSEG_PYTHON_MODULE=OFF -DKSEG_BUILD_FUZZ=ON -DKSEG_NATIVE=OFF -DCMAKE_CXX_FLAGS="$flags" > /dev/null
cmake --build build-fuzz -j"$(nproc)" --target csv_reader_fuzz npy_reader_fuzz model_load_fuzz event_scan_fuzz
mkdir -p build-fuzz/findings
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"  # OpenMP's thread pool outlives the inputs
for target in csv_reader npy_reader model_load event_scan; do
  corpus=tests/fuzz/corpus/${target%%_*}
  [ "$target" = model_load ] && corpus=tests/fuzz/corpus/model
  [ "$target" = event_scan ] && corpus=tests/fuzz/corpus/events
  work=build-fuzz/corpus-$target
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  OMP_NUM_THREADS=1 build-fuzz/tests/fuzz/${target}_fuzz "$work" "$corpus" -max_total_time="$seconds" \
    -max_len=65536 -rss_limit_mb=2048 -timeout=10 -artifact_prefix=build-fuzz/findings/${target}- -print_final_stats=1
done
