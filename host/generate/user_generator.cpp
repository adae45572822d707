#include "host/generate/user_generator.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "host/io/atomic_file.hpp"
#include "host/io/npy_writer.hpp"
#include "host/io/number_format.hpp"
#include "host/io/text_flush.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// One latent persona: its share of users and the centre of each behaviour.
struct Persona {
  double share;
  double orders, sessions, order_value, recency_days, open_rate, discount_share, tenure_days;
};

// Loyal high spenders, bargain hunters, new users, lapsed, browsers, occasional buyers: unequal sizes on purpose.
constexpr Persona kPersonas[] = {
    {0.12, 25.0, 120.0, 90.0, 7.0, 0.45, 0.10, 900.0}, {0.22, 10.0, 60.0, 25.0, 20.0, 0.35, 0.60, 500.0},
    {0.18, 1.5, 12.0, 40.0, 10.0, 0.50, 0.20, 30.0},   {0.25, 3.0, 5.0, 45.0, 200.0, 0.05, 0.15, 700.0},
    {0.15, 0.5, 80.0, 30.0, 5.0, 0.25, 0.10, 300.0},   {0.08, 5.0, 20.0, 60.0, 60.0, 0.20, 0.25, 600.0}};
constexpr int kPersonaCount = sizeof(kPersonas) / sizeof(kPersonas[0]);
constexpr int64_t kChunkRows = 65536;  // each chunk has its own derived seed: parallel and reproducible
constexpr int kFeatures = 7;

// Categorical columns written to CSV: per persona, the probability of each level.
struct CategoricalSpec {
  const char* name;
  std::vector<const char*> levels;
  std::vector<std::vector<double>> by_persona;
};

const std::vector<CategoricalSpec>& categorical_specs() {
  static const std::vector<CategoricalSpec> specs = {
      {"device",
       {"ios", "android", "web"},
       {{0.6, 0.3, 0.1}, {0.25, 0.6, 0.15}, {0.45, 0.45, 0.1}, {0.2, 0.2, 0.6}, {0.4, 0.5, 0.1}, {0.3, 0.3, 0.4}}},
      {"plan",
       {"free", "plus", "pro"},
       {{0.05, 0.35, 0.6},
        {0.6, 0.35, 0.05},
        {0.8, 0.15, 0.05},
        {0.7, 0.25, 0.05},
        {0.9, 0.08, 0.02},
        {0.4, 0.4, 0.2}}},
      {"country",
       {"US", "GB", "DE", "FR", "BR", "IN"},
       {{0.5, 0.2, 0.1, 0.1, 0.05, 0.05},
        {0.2, 0.1, 0.1, 0.1, 0.25, 0.25},
        {0.3, 0.15, 0.15, 0.15, 0.1, 0.15},
        {0.35, 0.2, 0.15, 0.1, 0.1, 0.1},
        {0.2, 0.1, 0.1, 0.1, 0.2, 0.3},
        {0.3, 0.2, 0.2, 0.2, 0.05, 0.05}}}};
  return specs;
}

int level_draw(std::mt19937_64& rng, const std::vector<double>& probabilities) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (size_t l = 0; l + 1 < probabilities.size(); ++l) {
    if (u < probabilities[l]) return static_cast<int>(l);
    u -= probabilities[l];
  }
  return static_cast<int>(probabilities.size()) - 1;
}

// What a user looks like besides the numeric features: categorical levels and which cells are missing in CSV.
struct UserExtras {
  std::vector<uint8_t> levels;    // n × categorical_specs().size()
  std::vector<uint8_t> missing;   // n: bit 0 avg_order_value, bit 1 email_open_rate
  std::vector<uint8_t> newcomer;  // n: 1 for a user who replaced one of the seed's users (--churn)
};

// --drift: how each persona's share grows (+) or shrinks (−) per unit of drift.
constexpr double kPersonaTilt[] = {-0.5, 0.5, -0.5, 1.0, 0.0, 0.0};

int persona_draw(std::mt19937_64& rng) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (int p = 0; p < kPersonaCount; ++p) {
    if (u < kPersonas[p].share) return p;
    u -= kPersonas[p].share;
  }
  return kPersonaCount - 1;
}

int persona_draw_drifted(std::mt19937_64& rng, double drift) {
  double shares[kPersonaCount], total = 0.0;
  for (int p = 0; p < kPersonaCount; ++p) total += shares[p] = kPersonas[p].share * (1.0 + drift * kPersonaTilt[p]);
  double u = std::uniform_real_distribution<double>(0.0, total)(rng);
  for (int p = 0; p < kPersonaCount; ++p) {
    if (u < shares[p]) return p;
    u -= shares[p];
  }
  return kPersonaCount - 1;
}

// Heavy-tailed count: Poisson with a log-normally varying rate (a gamma-Poisson-like mixture).
double count_draw(std::mt19937_64& rng, double mean) {
  const double rate = mean * std::exp(std::normal_distribution<double>(-0.18, 0.6)(rng));
  return static_cast<double>(std::poisson_distribution<int64_t>(std::max(rate, 1e-9))(rng));
}

double rate_draw(std::mt19937_64& rng, double mean) {
  const double k = 20.0;  // beta concentration
  const double a = std::gamma_distribution<double>(mean * k, 1.0)(rng);
  const double b = std::gamma_distribution<double>((1.0 - mean) * k, 1.0)(rng);
  return a / (a + b);
}

void user_draw(std::mt19937_64& rng, int persona, float* out) {
  const Persona& p = kPersonas[persona];
  out[0] = static_cast<float>(count_draw(rng, p.orders));
  out[1] = static_cast<float>(count_draw(rng, p.sessions));
  out[2] = static_cast<float>(
      std::round(p.order_value * std::exp(std::normal_distribution<double>(0, 0.35)(rng)) * 100) / 100);
  out[3] = static_cast<float>(std::round(std::exponential_distribution<double>(1.0 / p.recency_days)(rng)));
  out[4] = static_cast<float>(std::round(rate_draw(rng, p.open_rate) * 1000) / 1000);
  out[5] = static_cast<float>(std::round(rate_draw(rng, p.discount_share) * 1000) / 1000);
  out[6] = static_cast<float>(std::round(p.tenure_days * std::exp(std::normal_distribution<double>(0, 0.3)(rng))));
}

void levels_draw(std::mt19937_64& rng, int persona, uint8_t* levels) {
  for (size_t s = 0; s < categorical_specs().size(); ++s)
    levels[s] = static_cast<uint8_t>(level_draw(rng, categorical_specs()[s].by_persona[persona]));
}

// --drift for everyone: each order kept with probability 1 − 0.3·drift, recency × (1 + drift).
void behaviour_shift(std::mt19937_64& rng, double drift, float* out) {
  out[0] =
      static_cast<float>(std::binomial_distribution<int64_t>(static_cast<int64_t>(out[0]), 1.0 - 0.3 * drift)(rng));
  out[3] = static_cast<float>(std::round(out[3] * (1.0 + drift)));
}

void users_draw(const GenerateOptions& options, std::vector<float>& features, std::vector<int32_t>& truth,
                UserExtras& extras) {
  const int64_t n = options.users;
  const size_t n_cat = categorical_specs().size();
  features.resize(static_cast<size_t>(n * kFeatures));
  truth.resize(static_cast<size_t>(n));
  extras.levels.resize(static_cast<size_t>(n) * n_cat);
  extras.missing.resize(static_cast<size_t>(n));
  extras.newcomer.assign(static_cast<size_t>(n), 0);
  const int64_t chunks = (n + kChunkRows - 1) / kChunkRows;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    std::mt19937_64 rng(run_seed_derive(options.seed, static_cast<int>(c)));
    std::mt19937_64 change(run_seed_derive(options.seed ^ 0xD81F7ull, static_cast<int>(c)));  // --drift, --churn
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    for (int64_t i = c * kChunkRows; i < std::min(n, (c + 1) * kChunkRows); ++i) {
      truth[i] = persona_draw(rng);
      user_draw(rng, truth[i], features.data() + i * kFeatures);
      levels_draw(rng, truth[i], extras.levels.data() + i * n_cat);
      std::uniform_real_distribution<double> u(0.0, 1.0);
      extras.missing[i] = static_cast<uint8_t>((u(rng) < 0.03 ? 1 : 0) | (u(rng) < 0.05 ? 2 : 0));
      // The later snapshot draws from its own stream, so the seed's users stay who they were unless changed.
      const bool newcomer = options.churn > 0.0 && coin(change) < options.churn;
      if (newcomer || (options.drift > 0.0 && coin(change) < options.drift)) {
        extras.newcomer[i] = newcomer ? 1 : 0;
        truth[i] = persona_draw_drifted(change, options.drift);
        user_draw(change, truth[i], features.data() + i * kFeatures);
        levels_draw(change, truth[i], extras.levels.data() + i * n_cat);
      }
      if (options.drift > 0.0) behaviour_shift(change, options.drift, features.data() + i * kFeatures);
    }
  }
}

// The CSV id of user i: u00000042, or n00000042 for a newcomer (--churn).
std::string user_id_format(size_t i, bool newcomer) {
  char id[32];
  std::snprintf(id, sizeof(id), newcomer ? "n%08zu" : "u%08zu", i);
  return id;
}

void csv_write(const std::string& path, const std::vector<float>& features, const std::vector<int32_t>& truth,
               const UserExtras& extras, bool with_truth) {
  AtomicFile file(path);
  const std::vector<CategoricalSpec>& specs = categorical_specs();
  std::string text = "user_id";
  for (const std::string& name : generated_feature_names()) text += "," + name;
  for (const CategoricalSpec& spec : specs) text += std::string(",") + spec.name;
  text += with_truth ? ",true_segment\n" : "\n";
  for (size_t i = 0; i < truth.size(); ++i) {
    text += user_id_format(i, extras.newcomer[i] != 0);
    for (int t = 0; t < kFeatures; ++t) {
      text += ',';
      const bool missing = (t == 2 && (extras.missing[i] & 1)) || (t == 4 && (extras.missing[i] & 2));
      if (!missing) float_append(text, features[i * kFeatures + t]);
    }
    for (size_t s = 0; s < specs.size(); ++s) {
      text += ',';
      text += specs[s].levels[extras.levels[i * specs.size() + s]];
    }
    if (with_truth) {
      text += ',';
      int64_append(text, truth[i]);
    }
    text += '\n';
    text_flush_when_full(file, text);
  }
  file.write(text);
  file.commit();
}

}  // namespace

const std::vector<std::string>& generated_feature_names() {
  static const std::vector<std::string> names = {"orders",          "sessions",       "avg_order_value", "recency_days",
                                                 "email_open_rate", "discount_share", "tenure_days"};
  return names;
}

GeneratedUsers generated_users_draw(const GenerateOptions& options) {
  GeneratedUsers users;
  UserExtras extras;
  users_draw(options, users.features, users.persona, extras);
  users.newcomer = std::move(extras.newcomer);
  users.ids.reserve(users.persona.size());
  for (size_t i = 0; i < users.persona.size(); ++i) users.ids.push_back(user_id_format(i, users.newcomer[i] != 0));
  return users;
}

void users_generate(const std::string& path, const GenerateOptions& options) {
  std::vector<float> features;
  std::vector<int32_t> truth;
  UserExtras extras;
  users_draw(options, features, truth, extras);
  const bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  if (!npy) {
    csv_write(path, features, truth, extras, options.with_truth);
    return;
  }
  npy_write(path, features.data(), options.users, kFeatures);
  if (options.with_truth) {
    AtomicFile file(path + ".truth.csv");
    std::string text = "id,true_segment\n";
    for (size_t i = 0; i < truth.size(); ++i) text += std::to_string(i) + "," + std::to_string(truth[i]) + "\n";
    file.write(text);
    file.commit();
  }
}

}  // namespace kseg
