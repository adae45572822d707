// A synthetic order log for the users of `kseg generate`: each user's orders follow their persona (count, order
// value, recency, tenure), so lapsed users stop ordering months before the end of the log.
#pragma once

#include <cstdint>
#include <string>

#include "host/generate/user_generator.hpp"

namespace kseg {

struct EventGenerateOptions {
  std::string end_date = "2026-11-30";  // the log's last possible day (UTC); users' recency counts back from it
  double missing_amount = 0.01;         // share of orders whose amount cell is left empty
  double refund = 0.03;                 // share of orders followed by a refund (a negative amount, days later)
  // Mean events (orders and refunds) per user with any: each user's order count is scaled by one factor, so that
  // the log's mean is about this (a user with orders keeps at least one). 0 = the user rows' own counts.
  double events_per_user = 0.0;
};

// UsageError (one line, naming the option) for an end date that is not YYYY-MM-DD or an events_per_user that is
// neither 0 nor in [1, 10000].
void event_options_check(const EventGenerateOptions& options);

// Writes the order log of the users `users` describes (the same users, same ids as users_generate writes) to path,
// atomically, sorted by time: user_id,order_time,amount,category,device. Per user: `orders` orders (none for 0;
// × the factor events_per_user sets, rounded, at least 1), the last `recency_days` before end_date and the first
// `tenure_days` before it; the others between, drawn with seasonality (weekends ×1.3, a November–December peak ×1.6).
// Amounts are log-normal around the user's avg_order_value (σ = 0.6, heavy-tailed), to the cent. Times are UTC ("…Z"),
// around a persona's favourite hour. The whole log is held in memory before writing (24 bytes per event). Returns the
// number of events written.
int64_t events_generate(const std::string& path, const GenerateOptions& users, const EventGenerateOptions& options);

}  // namespace kseg
