// CSV input throughput: a ~200 MB numeric CSV written once to /tmp, then tokenised by kseg::CsvReader and every
// field converted with csv_float_parse, the way the dataset loader does it (64 MB batches, OpenMP over records).
// Counter MB/s is file bytes per second (1 MB = 10^6 bytes).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "host/io/csv_reader.hpp"

namespace {

constexpr int kCols = 16;
constexpr int64_t kRows = 1'700'000;  // ~118 bytes per row: ~200 MB
constexpr size_t kBatchBytes = 64u << 20;
const char* const kPath = "/tmp/kseg_bench_1700000x16.csv";

// Writes the file unless a complete one from an earlier run is there; returns its size in bytes.
double csv_file_ensure() {
  namespace fs = std::filesystem;
  const std::string done = std::string(kPath) + ".done";
  if (!fs::exists(kPath) || !fs::exists(done)) {
    std::FILE* f = std::fopen(kPath, "w");
    if (f == nullptr) throw std::runtime_error(std::string("cannot write ") + kPath);
    for (int c = 0; c < kCols; ++c) std::fprintf(f, c + 1 < kCols ? "f%d," : "f%d\n", c);
    std::mt19937_64 rng(2026);
    std::normal_distribution<float> value(0.0f, 100.0f);
    for (int64_t r = 0; r < kRows; ++r)
      for (int c = 0; c < kCols; ++c) std::fprintf(f, c + 1 < kCols ? "%.5g," : "%.5g\n", double(value(rng)));
    std::fclose(f);
    std::FILE* marker = std::fopen(done.c_str(), "w");
    if (marker != nullptr) std::fclose(marker);
  }
  return double(fs::file_size(kPath));
}

// Tokenising only: records and field spans, no number conversion.
void BM_CsvTokenise(benchmark::State& state) {
  const double bytes = csv_file_ensure();
  const int threads = omp_get_num_procs();
  for (auto _ : state) {
    kseg::CsvReader reader(kPath);
    int64_t fields = 0;
    reader.batches_for_each(kBatchBytes, threads,
                            [&](const kseg::CsvRecordBatch& batch) { fields += batch.n_records * batch.n_fields; });
    benchmark::DoNotOptimize(fields);
  }
  state.counters["MB/s"] = benchmark::Counter(bytes * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
}

// Tokenising plus csv_float_parse of every field into an n × d float matrix.
void BM_CsvParseFloats(benchmark::State& state) {
  const double bytes = csv_file_ensure();
  const int threads = omp_get_num_procs();
  const std::string path = kPath;  // csv_float_parse takes the name as a std::string: build it once
  std::vector<float> x;
  for (auto _ : state) {
    kseg::CsvReader reader(kPath);
    const std::vector<std::string> header = reader.header();
    x.resize(static_cast<size_t>(reader.records_count()) * header.size());
    reader.batches_for_each(kBatchBytes, threads, [&](const kseg::CsvRecordBatch& batch) {
      const int d = batch.n_fields;
#pragma omp parallel for schedule(static) num_threads(threads)
      for (int64_t r = 0; r < batch.n_records; ++r) {
        const int64_t i = batch.first_record + r;
        for (int c = 0; c < d; ++c)
          x[static_cast<size_t>(i * d + c)] =
              kseg::csv_float_parse(batch.field(r, c), path, batch.line(r), c + 1, header[static_cast<size_t>(c)]);
      }
    });
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["MB/s"] = benchmark::Counter(bytes * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB"] = bytes * 1e-6;
}

BENCHMARK(BM_CsvTokenise)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CsvParseFloats)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
