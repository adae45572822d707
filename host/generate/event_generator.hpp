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
};

// Writes the order log of the users `users` describes (the same users, same ids as users_generate writes) to path,
// atomically, sorted by time: user_id,order_time,amount,category,device. Per user: `orders` orders (rounded; none
// for 0), the last `recency_days` before end_date and the first `tenure_days` before it; the others between, drawn
// with seasonality (weekends ×1.3, a November–December peak ×1.6). Amounts are log-normal around the user's
// avg_order_value (σ = 0.6, heavy-tailed), to the cent. Times are UTC ("…Z"), around a persona's favourite hour.
// Returns the number of events written.
int64_t events_generate(const std::string& path, const GenerateOptions& users, const EventGenerateOptions& options);

}  // namespace kseg
