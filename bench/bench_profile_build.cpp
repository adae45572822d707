// profile-build's RFM family against the CSV reader on the same event log: tokenising only, tokenising plus
// parsing the two columns RFM needs (amount with fast_float, time with the ISO date parser), the aggregation alone
// (events_aggregate: parse and per-user fold; with the projection scan, and with the tokenizer alone), and the whole
// profile_build (parse, route, aggregate, features; no output file). Counters: MB/s of file bytes (10^6) and M
// events/s. The log: $KSEG_EVENTS, else /tmp/kseg_bench_events.csv written once by events_generate (1.5M generated
// users, ~10.3M events, ~520 MB). With $KSEG_EVENTS_PARQUET: the same from a Parquet log.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "host/data/schema.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/event_scan.hpp"
#include "host/events/profile_build.hpp"
#include "host/generate/event_generator.hpp"
#include "host/io/csv_reader.hpp"

namespace {

constexpr size_t kBatchBytes = 16u << 20;  // as profile_build reads

std::string events_path() {
  if (const char* env = std::getenv("KSEG_EVENTS")) return env;
  const std::string path = "/tmp/kseg_bench_events.csv";
  if (!std::filesystem::exists(path)) {
    kseg::GenerateOptions users;
    users.users = 1'500'000;
    kseg::events_generate(path, users, kseg::EventGenerateOptions{});
  }
  return path;
}

// CPU seconds of the whole process (all threads, user + system) so far: the steadier figure on a shared machine.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

void counters_set(benchmark::State& state, double bytes, double events, double cpu_seconds) {
  state.counters["cpu_s"] = cpu_seconds / double(state.iterations());
  state.counters["MB/s"] = benchmark::Counter(bytes * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["Mevents/s"] = benchmark::Counter(events * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EventsTokenise(benchmark::State& state) {
  const std::string path = events_path();
  int64_t records = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    kseg::CsvReader reader(path);
    records = 0;
    reader.batches_for_each(kBatchBytes, omp_get_num_procs(),
                            [&](const kseg::CsvRecordBatch& batch) { records += batch.n_records; });
  }
  counters_set(state, double(std::filesystem::file_size(path)), double(records), process_cpu_seconds() - cpu_start);
}

// The reader as the table loader uses it, on the columns RFM reads: order_time (field 1) and amount (field 2).
void BM_EventsReadTimeAmount(benchmark::State& state) {
  const std::string path = events_path();
  const std::string column = "amount";
  int64_t records = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    kseg::CsvReader reader(path);
    records = 0;
    double total = 0.0;
    reader.batches_for_each(kBatchBytes, omp_get_num_procs(), [&](const kseg::CsvRecordBatch& batch) {
      records += batch.n_records;
#pragma omp parallel for reduction(+ : total) schedule(static)
      for (int64_t r = 0; r < batch.n_records; ++r) {
        float day = 0.0f;
        kseg::iso_date_parse(batch.field(r, 1), day);
        const std::string_view amount = batch.field(r, 2);
        total += day + (amount.empty() ? 0.0f : kseg::csv_float_parse(amount, path, batch.line(r), 3, column));
      }
    });
    benchmark::DoNotOptimize(total);
  }
  counters_set(state, double(std::filesystem::file_size(path)), double(records), process_cpu_seconds() - cpu_start);
}

// The RFM build of the log at path (the generated log's column names).
kseg::ProfileBuildRequest rfm_request(const std::string& path) {
  kseg::ProfileBuildRequest request;
  request.events_path = path;
  request.user_column = "user_id";
  request.time_column = "order_time";
  request.amount_column = "amount";
  request.families = {true, false, false, false};
  return request;
}

// The aggregation alone (tokenise, parse, fold per user; no features, no output) of the CSV log, for RFM.
void BM_EventsAggregateCsv(benchmark::State& state) {
  const kseg::ProfileBuildRequest request = rfm_request(events_path());
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::EventAggregate agg = kseg::events_aggregate(request, INT32_MAX);
    events = agg.events_read;
  }
  counters_set(state, double(std::filesystem::file_size(request.events_path)), double(events),
               process_cpu_seconds() - cpu_start);
}

// The same with the projection scan off (kseg::EventScanParams::enabled = false): every record through the general
// tokenizer, as before the scan (host/events/event_scan.hpp), to compare the two on one machine.
void BM_EventsAggregateCsvTokenizer(benchmark::State& state) {
  const kseg::ProfileBuildRequest request = rfm_request(events_path());
  kseg::EventScanParams params;
  params.enabled = false;
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::EventAggregate agg = kseg::events_aggregate_scanned(request, INT32_MAX, params);
    events = agg.events_read;
  }
  counters_set(state, double(std::filesystem::file_size(request.events_path)), double(events),
               process_cpu_seconds() - cpu_start);
}

void BM_ProfileBuildRfm(benchmark::State& state) {
  const kseg::ProfileBuildRequest request = rfm_request(events_path());
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::ProfileBuildProducts products = kseg::profile_build(request);
    events = products.events_read;
    benchmark::DoNotOptimize(products.users.ids.data());
  }
  counters_set(state, double(std::filesystem::file_size(request.events_path)), double(events),
               process_cpu_seconds() - cpu_start);
}

// The same log in Parquet ($KSEG_EVENTS_PARQUET, written by pyarrow with the time column as a timestamp and the
// amount as double; see bench/RESULTS.md): the aggregation alone (reading and folding, no features), then the whole
// profile_build as above.
std::string parquet_path(benchmark::State& state) {
  const char* env = std::getenv("KSEG_EVENTS_PARQUET");
  if (env == nullptr) state.SkipWithError("set KSEG_EVENTS_PARQUET to a Parquet event log");
  return env ? env : "";
}

void BM_EventsAggregateParquet(benchmark::State& state) {
  const std::string path = parquet_path(state);
  if (path.empty()) return;
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::EventAggregate agg = kseg::events_aggregate(rfm_request(path), INT32_MAX);
    events = agg.events_read;
  }
  counters_set(state, double(std::filesystem::file_size(path)), double(events), process_cpu_seconds() - cpu_start);
}

void BM_ProfileBuildRfmParquet(benchmark::State& state) {
  const std::string path = parquet_path(state);
  if (path.empty()) return;
  int64_t events = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    const kseg::ProfileBuildProducts products = kseg::profile_build(rfm_request(path));
    events = products.events_read;
    benchmark::DoNotOptimize(products.users.ids.data());
  }
  counters_set(state, double(std::filesystem::file_size(path)), double(events), process_cpu_seconds() - cpu_start);
}

}  // namespace

BENCHMARK(BM_EventsAggregateParquet)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ProfileBuildRfmParquet)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EventsTokenise)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EventsReadTimeAmount)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EventsAggregateCsv)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EventsAggregateCsvTokenizer)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ProfileBuildRfm)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
