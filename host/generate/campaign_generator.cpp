#include "host/generate/campaign_generator.hpp"

#include <cmath>
#include <random>

#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// Per persona: orders per user in a period (loyal, bargain hunters, new, lapsed, browsers, occasional) and the
// typical order value.
constexpr double kOrderRate[] = {0.6, 0.3, 0.15, 0.10, 0.04, 0.12};
constexpr double kOrderValue[] = {90.0, 25.0, 40.0, 45.0, 30.0, 60.0};
constexpr double kLift[] = {0.0, 0.0, 0.20, 0.30, 0.0, 0.0};
constexpr int kPersonas = 6;
constexpr double kPrePeriods = 3.0;    // the pre-period is three campaign periods long
constexpr int64_t kChunkRows = 65536;  // a derived seed per chunk, as in the user generator

double orders_value(std::mt19937_64& rng, int64_t orders, double typical) {
  double total = 0.0;
  for (int64_t o = 0; o < orders; ++o)
    total += std::round(typical * std::exp(std::normal_distribution<double>(-0.125, 0.5)(rng)) * 100.0) / 100.0;
  return total;
}

}  // namespace

double campaign_planted_lift(int32_t persona) { return persona >= 0 && persona < kPersonas ? kLift[persona] : 0.0; }

void campaign_generate(const std::string& path, const GenerateOptions& users, const CampaignOptions& options) {
  const GeneratedUsers truth = generated_users_draw(users);
  const int64_t n = static_cast<int64_t>(truth.ids.size());
  std::vector<std::string> lines(static_cast<size_t>((n + kChunkRows - 1) / kChunkRows));
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t c = 0; c < static_cast<int64_t>(lines.size()); ++c) {
    std::mt19937_64 rng(run_seed_derive(users.seed ^ 0xCA3A16ull, static_cast<int>(c)));
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    std::string& text = lines[static_cast<size_t>(c)];
    for (int64_t i = c * kChunkRows; i < std::min(n, (c + 1) * kChunkRows); ++i) {
      const int32_t p = truth.persona[static_cast<size_t>(i)];
      const double rate = kOrderRate[p] * std::exp(std::normal_distribution<double>(-0.125, 0.5)(rng));
      const bool treated = coin(rng) < options.treatment_share;
      const int64_t pre_orders = std::poisson_distribution<int64_t>(kPrePeriods * rate)(rng);
      const double pre_revenue = orders_value(rng, pre_orders, kOrderValue[p]);
      const double post_rate = rate * (treated ? 1.0 + kLift[p] : 1.0);
      const int64_t orders = std::poisson_distribution<int64_t>(post_rate)(rng);
      const double revenue = orders_value(rng, orders, kOrderValue[p]);
      text += truth.ids[static_cast<size_t>(i)];
      text += treated ? ",treatment," : ",control,";
      double_append(text, std::round(pre_revenue * 100.0) / 100.0);
      text += orders > 0 ? ",1," : ",0,";
      double_append(text, std::round(revenue * 100.0) / 100.0);
      text += '\n';
    }
  }
  AtomicFile file(path);
  file.write("user_id,group,pre_revenue,converted,revenue\n");
  for (const std::string& text : lines) file.write(text);
  file.commit();
}

}  // namespace kseg
