// profile-build's columnar readers on the same event log in several files ($KSEG_EVENTS_COLUMNAR: paths separated by
// ':', e.g. an Arrow IPC file, the same compressed with LZ4, and a Parquet file, written by
// bench/profile_build/events_parquet.py): per file, the reader alone (columnar_events_for_each: mapping or decoding
// plus the conversion into typed batches, nothing folded; /threads:1 decodes Parquet on one thread, /threads:0 on
// OpenMP's count of worker threads) and the aggregation (events_aggregate: reading and folding,
// RFM columns, no features). Counters: CPU seconds of the process per iteration and M events/s (wall).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <climits>
#include <cstdlib>
#include <sstream>
#include <string>

#include "host/comm/communicator.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/columnar_events.hpp"

namespace {

// CPU seconds of the whole process (all threads, user + system) so far: the steadier figure on a shared machine.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

void counters_set(benchmark::State& state, double events, double cpu_seconds) {
  state.counters["cpu_s"] = cpu_seconds / double(state.iterations());
  state.counters["Mevents/s"] = benchmark::Counter(events * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
}

kseg::ProfileBuildRequest rfm_request(const std::string& path) {
  kseg::ProfileBuildRequest request;
  request.events_path = path;
  request.user_column = "user_id";
  request.time_column = "order_time";
  request.amount_column = "amount";
  request.families = {true, false, false, false};
  return request;
}

void events_read(benchmark::State& state, const std::string& path) {
  kseg::ParquetEventColumns columns{path, "user_id", "order_time", "amount", {}};
  columns.threads = static_cast<int>(state.range(0));  // Parquet's decoding threads (0: OpenMP's count)
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    events = 0;
    kseg::columnar_events_for_each(columns, kseg::SingleProcess(),
                                   [&](const kseg::ParquetEventBatch& batch) { events += batch.n_rows; });
  }
  counters_set(state, double(events), process_cpu_seconds() - cpu_start);
}

void events_aggregate(benchmark::State& state, const std::string& path) {
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::EventAggregate agg = kseg::events_aggregate(rfm_request(path), INT32_MAX);
    events = agg.events_read;
  }
  counters_set(state, double(events), process_cpu_seconds() - cpu_start);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* env = std::getenv("KSEG_EVENTS_COLUMNAR");
  if (env == nullptr) {
    std::fprintf(stderr, "set KSEG_EVENTS_COLUMNAR to event logs (Arrow IPC or Parquet) separated by ':'\n");
    return 2;
  }
  std::istringstream paths(env);
  for (std::string path; std::getline(paths, path, ':');) {
    if (path.empty()) continue;
    benchmark::RegisterBenchmark(("BM_EventsRead/" + path).c_str(), events_read, path)
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(0)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_EventsAggregate/" + path).c_str(), events_aggregate, path)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
