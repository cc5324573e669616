// SpecGenerator: plans discovery candidates as strategy specs. Wave 0 samples parameterized
// templates per strategy type (momentum, mean_reversion, breakout, trend, arbitrage for pairs,
// volatility) built from indicators of the registry; later waves mostly evolve the fittest specs of
// each niche (a data target x a strategy type) by genetic programming over the spec's expressions:
// parameter and threshold mutation, period mutation within the indicator's range, swapping an
// indicator for a compatible one, adding or dropping a condition, changing stops, and crossover of
// rule subtrees between two parents. Every planned spec passes the spec validator and has a
// behaviour hash new to the session.
//
// Deterministic: plan_wave depends only on the seed, the wave number and the history it is given
// (random numbers come from optimize::Rng, never from <random> distributions).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/discover/discovery_loop.h"
#include "tradeloop/discover/quality_gates.h"
#include "tradeloop/optimize/rng.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::discover {

/// What the generator knows of a data target.
struct TargetInfo {
  std::string id;        // "GOOG-1d" or "ETH_BTC-5m~ADA_BTC-5m"
  bool pair = false;     // two legs (arbitrage only)
  std::size_t bars = 0;  // bars available (caps indicator periods)
  FrequencyClass frequency = FrequencyClass::kDaily;
  double typical_move_pct = 1.0;  // median |close-to-close change| in percent (scales stops)
};

struct GeneratorOptions {
  std::vector<std::string> types;  // empty = every type the targets allow
  double immigrant_rate = 0.15;    // share of later-wave candidates sampled fresh from templates
  double crossover_rate = 0.30;    // share of the evolved ones made by crossover (rest: mutation)
  std::size_t tournament = 3;      // parents are the fittest of this many drawn from the elite
  std::size_t elite = 24;          // per niche: the fittest candidates parents are drawn from
  std::size_t max_nodes = 80;      // expression size limit per rule (bloat control)
  int attempts = 40;               // tries per slot before giving up on it
};

class SpecGenerator final : public CandidateGenerator {
 public:
  // Errors: an unknown type (the message lists the known ones), arbitrage without a pair target,
  // or no template of a type whose indicators the registry has.
  static Result<std::unique_ptr<SpecGenerator>> create(std::vector<TargetInfo> targets,
                                                       GeneratorOptions options);

  Result<std::vector<Candidate>> plan_wave(const PlanContext& ctx) override;

  // The six strategy types in documentation order.
  static const std::vector<std::string>& known_types();

  // Building blocks, public for tests. Each result is a validated spec (or nullopt when the
  // operation did not apply or produced an invalid spec; the caller tries again).
  std::optional<strategy::Spec> from_template(std::string_view type, const TargetInfo& target,
                                              optimize::Rng& rng, std::string* what) const;
  std::optional<strategy::Spec> mutate(const strategy::Spec& parent, const TargetInfo& target,
                                       optimize::Rng& rng, std::string* what) const;
  std::optional<strategy::Spec> crossover(const strategy::Spec& a, const strategy::Spec& b,
                                          optimize::Rng& rng, std::string* what) const;

  // Templates usable for a type on a target (for tests and `--types` checks).
  std::vector<std::string> template_names(std::string_view type) const;

  struct Template;

 private:
  SpecGenerator(std::vector<TargetInfo> targets, GeneratorOptions options);

  struct Niche {
    std::size_t target = 0;
    std::string type;
  };

  std::vector<TargetInfo> targets_;
  GeneratorOptions options_;
  std::vector<Niche> niches_;
  std::vector<const Template*> templates_;  // those whose indicators exist
  // Parsed parents by hash (a pure cache of the history's specs).
  std::map<std::string, std::shared_ptr<const strategy::Spec>> parsed_;
};

}  // namespace tradeloop::discover
