// A synthetic campaign on the generated users (kseg generate --campaign): random assignment to control and
// treatment, a pre-period amount, and outcomes with an effect planted by persona, so that kseg measure has a known
// answer: the treatment lifts the order rate of lapsed users by 30% and of new users by 20%, and does nothing for
// the other personas.
#pragma once

#include <cstdint>
#include <string>

#include "host/generate/user_generator.hpp"

namespace kseg {

struct CampaignOptions {
  double treatment_share = 0.5;  // probability that a user is assigned to "treatment" (else "control")
};

// The planted relative lift of the order rate for each persona (index as in GeneratedUsers::personas).
double campaign_planted_lift(int32_t persona);

// Writes path atomically: user_id,group,pre_revenue,converted,revenue for every user of users (same ids, same
// order). Each user has an order rate (the persona's, times a log-normal factor); pre_revenue sums a Poisson count
// of orders at that rate over the three periods before; in the campaign period the rate is multiplied by 1 + the
// planted lift in treatment; converted = at least one order; revenue = their log-normal values. Deterministic for the
// users' seed.
void campaign_generate(const std::string& path, const GenerateOptions& users, const CampaignOptions& options = {});

}  // namespace kseg
