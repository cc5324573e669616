// SignalPlanStrategy: trades a SignalPlan through the event-driven Strategy API, with the same decision
// rule (signal_decision.h), entry filter, cooldown and exit rules (as bracket orders) as the signal
// runner. It lets a compiled spec run in the event kernel (next to other strategies, or live later),
// and it is how tests prove the two paths of the kernel give identical fills.
//
// The plan (not owned) must outlive the strategy and cover instrument 0's bars; it trades instrument 0.
// Orders carry the plan's sizing ("risk:0.5", as the signal runner applies it) unless
// `use_plan_sizing` is false, which leaves them to the run's sizing (the runner's --sizing override).
#pragma once

#include <cstdint>
#include <string>

#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/strategy.h"

namespace tradeloop::strategy {

class SignalPlanStrategy final : public Strategy {
 public:
  explicit SignalPlanStrategy(const SignalPlan& plan, std::string name = "signal_plan",
                              bool use_plan_sizing = true)
      : plan_(plan), name_(std::move(name)), use_plan_sizing_(use_plan_sizing) {}
  std::string_view name() const override { return name_; }
  Status on_start(StrategyContext& ctx) override;
  void on_bar(StrategyContext& ctx, std::uint32_t instrument) override;
  void on_fill(StrategyContext& ctx, const model::Fill& fill) override;

 private:
  const SignalPlan& plan_;
  std::string name_;
  bool use_plan_sizing_ = true;
  // The plan's sizing parsed at on_start (kFixed + 0 = the run's sizing).
  model::SizingMode sizing_ = model::SizingMode::kFixed;
  double sizing_value_ = 0;
  std::int64_t last_exit_bar_ = -1;
};

}  // namespace tradeloop::strategy
