#include "tradeloop/discover/spec_generator.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tradeloop/discover/spec_evaluator.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::discover {
namespace {

const std::string kSamples = std::string(TL_SOURCE_DIR) + "/data/samples/";

struct Fixture {
  std::vector<DataTarget> targets;
  std::unique_ptr<SpecGenerator> generator;
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture out;
    auto targets = load_targets(
        {kSamples + "GOOG-1d.csv", kSamples + "ETH_BTC-5m.csv", kSamples + "ADA_BTC-5m.csv"}, nullptr);
    EXPECT_TRUE(targets.ok()) << targets.error().message();
    out.targets = std::move(targets).value();
    std::vector<TargetInfo> infos;
    for (const auto& t : out.targets) infos.push_back(t.info);
    auto gen = SpecGenerator::create(infos, {});
    EXPECT_TRUE(gen.ok()) << gen.error().message();
    out.generator = std::move(gen).value();
    return out;
  }();
  return f;
}

const DataTarget& target(const std::string& id) {
  for (const auto& t : fixture().targets) {
    if (t.info.id == id) return t;
  }
  ADD_FAILURE() << "no target " << id;
  return fixture().targets.front();
}

// An independent check of a generated spec: its canonical text parses back through the public
// parser (which validates), hashes to the same value, and compiles and runs on the target's data.
void expect_usable(const strategy::Spec& spec, const DataTarget& t, const std::string& what) {
  ASSERT_TRUE(strategy::validate_spec(spec).empty())
      << what << ": " << strategy::validate_spec(spec)[0].to_string();
  auto text = strategy::canonical_json(spec);
  ASSERT_TRUE(text.ok()) << what << ": " << text.error().message();
  auto again = strategy::parse_spec(*text, what);
  ASSERT_TRUE(again.ok()) << what << ": " << again.error().message() << "\n" << *text;
  EXPECT_EQ(*strategy::spec_hash(spec), *strategy::spec_hash(*again)) << what;
  std::vector<const data::BarSeries*> legs;
  for (const auto& l : t.legs) legs.push_back(&l);
  auto plan = strategy::compile(*again, legs, t.cache.get());
  ASSERT_TRUE(plan.ok()) << what << ": " << plan.error().message() << "\n" << *text;
  EXPECT_EQ(plan->bars, t.legs[0].size());
}

TEST(SpecGenerator, TemplatesOfEveryTypeAreValidAndRunOnRealData) {
  auto& f = fixture();
  optimize::Rng rng(11);
  for (const auto& type : SpecGenerator::known_types()) {
    const DataTarget& t = type == "arbitrage" ? target("ETH_BTC-5m~ADA_BTC-5m") : target("GOOG-1d");
    EXPECT_FALSE(f.generator->template_names(type).empty()) << type;
    int made = 0;
    for (int i = 0; i < 60; ++i) {
      std::string what;
      auto spec = f.generator->from_template(type, t.info, rng, &what);
      if (!spec) continue;
      ++made;
      EXPECT_EQ(spec->type, type);
      expect_usable(*spec, t, what);
    }
    // Constraints (fast < slow) refuse some samples, never most.
    EXPECT_GT(made, 40) << type;
  }
}

TEST(SpecGenerator, MutationAndCrossoverKeepValidityOverThousandsOfRandomOperations) {
  auto& f = fixture();
  const DataTarget& goog = target("GOOG-1d");
  const DataTarget& pair = target("ETH_BTC-5m~ADA_BTC-5m");
  optimize::Rng rng(2024);
  std::map<std::string, int> attempts, valid;
  std::set<std::string> hashes;
  for (const auto* t : {&goog, &pair}) {
    std::vector<strategy::Spec> population;
    const std::vector<std::string> types =
        t->info.pair
            ? std::vector<std::string>{"arbitrage"}
            : std::vector<std::string>{"momentum", "mean_reversion", "breakout", "trend", "volatility"};
    for (const auto& type : types) {
      for (int i = 0; i < 6; ++i) {
        auto s = f.generator->from_template(type, t->info, rng, nullptr);
        if (s) population.push_back(*s);
      }
    }
    ASSERT_GT(population.size(), 4u);
    const int operations = t->info.pair ? 600 : 2400;
    for (int op = 0; op < operations; ++op) {
      const auto& a = population[rng.below(population.size())];
      std::string what;
      std::optional<strategy::Spec> child;
      const bool cross = rng.uniform() < 0.3;
      if (cross) {
        const auto& b = population[rng.below(population.size())];
        if (a.type != b.type) continue;
        child = f.generator->crossover(a, b, rng, &what);
      } else {
        child = f.generator->mutate(a, t->info, rng, &what);
      }
      const std::string kind = cross ? "crossover" : "mutation";
      attempts[kind] += 1;
      if (!child) continue;
      valid[kind] += 1;
      expect_usable(*child, *t, kind + ": " + what);
      if (::testing::Test::HasFatalFailure()) return;
      hashes.insert(*strategy::spec_hash(*child));
      // Chains of edits: children become parents (bounded population).
      if (population.size() < 200) {
        population.push_back(std::move(*child));
      } else {
        population[rng.below(population.size())] = std::move(*child);
      }
    }
  }
  // Most operations yield a valid spec (invalid ones are refused, never returned), and they explore.
  EXPECT_GT(valid["mutation"], attempts["mutation"] * 7 / 10);
  EXPECT_GT(valid["crossover"], attempts["crossover"] / 2);
  EXPECT_GT(hashes.size(), 1500u);
}

TEST(SpecGenerator, SameSeedAndHistoryGiveTheSameWave) {
  auto& f = fixture();
  auto plan = [&](std::uint64_t seed) {
    std::unordered_set<std::string> seen;
    PlanContext ctx;
    ctx.seed = seed;
    ctx.wave = 0;
    ctx.count = 40;
    ctx.seen = &seen;
    auto wave = f.generator->plan_wave(ctx);
    EXPECT_TRUE(wave.ok());
    std::vector<std::string> out;
    for (const auto& c : *wave) out.push_back(c.target + " " + c.hash + " " + c.spec);
    return out;
  };
  const auto a = plan(5);
  EXPECT_EQ(a.size(), 40u);
  EXPECT_EQ(a, plan(5));
  EXPECT_NE(a, plan(6));
}

TEST(SpecGenerator, EvolvesTheFittestAndNeverRepeatsAHash) {
  auto& f = fixture();
  std::unordered_set<std::string> seen;
  PlanContext ctx;
  ctx.seed = 9;
  ctx.count = 60;
  ctx.seen = &seen;
  auto wave0 = f.generator->plan_wave(ctx);
  ASSERT_TRUE(wave0.ok());
  ASSERT_EQ(wave0->size(), 60u);
  std::vector<CandidateRow> history;
  for (const auto& c : *wave0) {
    CandidateRow row;
    row.candidate = c;
    row.evaluated = true;
    row.verdict = Verdict::kRejected;
    // Fitness: a deterministic function that favours low indexes.
    row.fitness = -static_cast<double>(c.index);
    history.push_back(row);
  }
  ctx.wave = 1;
  ctx.first_index = 60;
  ctx.history = history;
  auto wave1 = f.generator->plan_wave(ctx);
  ASSERT_TRUE(wave1.ok());
  ASSERT_EQ(wave1->size(), 60u);
  std::set<std::string> hashes;
  for (const auto& c : *wave0) hashes.insert(c.hash);
  int evolved = 0;
  double parent_index_sum = 0;
  int parents = 0;
  for (const auto& c : *wave1) {
    EXPECT_TRUE(hashes.insert(c.hash).second) << "hash planned twice: " << c.hash;
    EXPECT_EQ(c.wave, 1);
    const auto origin = nlohmann::json::parse(c.origin);
    if (origin["op"] != "template") {
      ++evolved;
      for (const auto& p : origin["parents"]) {
        parent_index_sum += p.get<double>();
        ++parents;
      }
    }
  }
  EXPECT_GT(evolved, 30);
  // Tournament selection on fitness: parents come from the fitter (lower) indexes of each niche.
  ASSERT_GT(parents, 0);
  EXPECT_LT(parent_index_sum / parents, 25.0);
  EXPECT_EQ(seen.size(), 120u);
}

TEST(SpecGenerator, RefusesUnknownTypesAndArbitrageWithoutAPair) {
  TargetInfo single;
  single.id = "GOOG-1d";
  single.bars = 2000;
  GeneratorOptions options;
  options.types = {"momentum", "astrology"};
  auto unknown = SpecGenerator::create({single}, options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("unknown strategy type 'astrology'"), std::string::npos);
  options.types = {"arbitrage"};
  auto no_pair = SpecGenerator::create({single}, options);
  ASSERT_FALSE(no_pair.ok());
  EXPECT_NE(no_pair.error().message().find("two --data files"), std::string::npos);
}

}  // namespace
}  // namespace tradeloop::discover
