// The CSV projection scan of profile-build (host/events/event_scan.hpp) against the general tokenizer on arbitrary
// log bodies: both aggregations of one log must agree bit for bit, or both fail. The input is the
// log after a fixed header (user,time,amount,category,device), read with every feature family on two threads in
// windows of 5 records, so chunks, windows, full chunks and fallbacks to the tokenizer all occur in a short input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../events/aggregate_dump.hpp"
#include "fuzz_input.hpp"
#include "host/error.hpp"
#include "host/events/event_scan.hpp"

namespace {

// The aggregate's bytes, or the kind and message of the kseg error it threw.
std::string outcome(const kseg::ProfileBuildRequest& r, bool scan) {
  kseg::EventScanParams params;
  params.window_records = 5;
  params.enabled = scan;
  try {
    return kseg::test::aggregate_dump(kseg::events_aggregate_scanned(r, INT32_MAX, params));
  } catch (const kseg::DataError& e) {
    return std::string("data error: ") + e.what();
  } catch (const kseg::UsageError& e) {
    return std::string("usage error: ") + e.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string log = "user,time,amount,category,device\n";
  log.append(reinterpret_cast<const char*>(data), size);
  kseg::ProfileBuildRequest r;
  r.events_path = kseg::fuzz::input_file(reinterpret_cast<const uint8_t*>(log.data()), log.size(), ".csv");
  r.user_column = "user";
  r.time_column = "time";
  r.amount_column = "amount";
  r.category_column = "category";
  r.category_share_amount = true;
  r.last_columns = {"device"};
  r.mode_columns = {"device"};
  r.families = {true, true, true, true};
  r.threads = 2;
  const std::string scanned = outcome(r, true), tokenized = outcome(r, false);
  // Both fail, or both give the same bytes. With several bad records the two may name different ones (the tokenizer
  // refuses a ragged record before the fold sees an earlier record's refused id; the scan folds up to it first):
  // each names a real error at its file:line:column.
  const bool scan_failed = scanned.find("error: ") != std::string::npos;
  const bool tokenizer_failed = tokenized.find("error: ") != std::string::npos;
  if (scan_failed != tokenizer_failed || (!scan_failed && scanned != tokenized)) {
    std::fprintf(
        stderr, "event_scan_fuzz: the scan and the tokenizer disagree\n  scan:      %.300s\n  tokenizer: %.300s\n",
        scan_failed ? scanned.c_str() : "(an aggregate)", tokenizer_failed ? tokenized.c_str() : "(an aggregate)");
    std::abort();
  }
  return 0;
}
