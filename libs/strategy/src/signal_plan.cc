#include "tradeloop/strategy/signal_plan.h"

namespace tradeloop::strategy {
namespace {

template <typename T>
std::vector<T> cut(const std::vector<T>& v, std::size_t b, std::size_t e) {
  if (v.empty()) return {};
  return std::vector<T>(v.begin() + static_cast<std::ptrdiff_t>(b),
                        v.begin() + static_cast<std::ptrdiff_t>(e));
}

}  // namespace

SignalPlan slice_plan(const SignalPlan& plan, std::size_t b, std::size_t e) {
  SignalPlan out;
  out.bars = e - b;
  out.warmup_bars = plan.warmup_bars > b ? plan.warmup_bars - b : 0;
  out.long_entry = cut(plan.long_entry, b, e);
  out.long_exit = cut(plan.long_exit, b, e);
  out.short_entry = cut(plan.short_entry, b, e);
  out.short_exit = cut(plan.short_exit, b, e);
  out.entry_allowed = cut(plan.entry_allowed, b, e);
  out.exits = plan.exits;
  out.exits.atr = cut(plan.exits.atr, b, e);
  out.sizing = plan.sizing;
  out.hedge_ratio = cut(plan.hedge_ratio, b, e);
  return out;
}

}  // namespace tradeloop::strategy
