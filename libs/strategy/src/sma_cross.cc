#include "tradeloop/strategy/sma_cross.h"

#include <algorithm>

#include <fmt/format.h>

#include "tradeloop/indicators/functions.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/signal_decision.h"

namespace tradeloop::strategy {

Status SmaCrossParams::validate() const {
  for (auto [name, v] : {std::pair{"fast", fast}, std::pair{"slow", slow}}) {
    if (v < 2 || v > 100000) {
      return Error::out_of_range(
          fmt::format("sma_cross: parameter '{}' = {} is outside [2, 100000]", name, v));
    }
  }
  if (fast == slow) {
    return Error::invalid_argument(
        fmt::format("sma_cross: 'fast' ({}) must differ from 'slow' ({})", fast, slow));
  }
  return ok_status();
}

void sma_cross_flags(std::span<const double> fast, std::span<const double> slow, SignalPlan& plan) {
  const std::size_t n = fast.size();
  plan.bars = n;
  plan.long_entry.assign(n, 0);
  plan.long_exit.assign(n, 0);
  std::uint8_t* up = plan.long_entry.data();
  std::uint8_t* down = plan.long_exit.data();
  // NaN compares false, so bars before either average exists never cross.
  for (std::size_t t = 1; t < n; ++t) {
    const double pf = fast[t - 1], ps = slow[t - 1], f = fast[t], s = slow[t];
    up[t] = static_cast<std::uint8_t>(pf < ps && f > s);
    down[t] = static_cast<std::uint8_t>(pf > ps && f < s);
  }
  plan.short_entry = plan.long_exit;
  plan.short_exit = plan.long_entry;
}

Result<SignalPlan> sma_cross_plan(std::span<const double> close, const SmaCrossParams& params) {
  TL_TRY(params.validate());
  // The indicator library's typed SMA (TA-Lib's values; periods validated above to its [2, 100000]).
  std::vector<double> fast(close.size()), slow(close.size());
  indicators::sma(close, params.fast, fast);
  indicators::sma(close, params.slow, slow);
  SignalPlan plan;
  sma_cross_flags(fast, slow, plan);
  plan.warmup_bars = static_cast<std::size_t>(std::max(params.fast, params.slow) - 1);
  return plan;
}

Status SmaCross::on_start(StrategyContext& ctx) {
  TL_TRY(params_.validate());
  fast_.clear();
  slow_.clear();
  for (std::uint32_t i = 0; i < ctx.num_instruments(); ++i) {
    TL_ASSIGN_OR_RETURN(auto f, ctx.indicator(i, "sma", {{"timeperiod", params_.fast}}));
    TL_ASSIGN_OR_RETURN(auto s, ctx.indicator(i, "sma", {{"timeperiod", params_.slow}}));
    fast_.push_back(f);
    slow_.push_back(s);
  }
  return ok_status();
}

void SmaCross::on_bar(StrategyContext& ctx, std::uint32_t instrument) {
  const SeriesView& f = fast_[instrument];
  const SeriesView& s = slow_[instrument];
  const double pf = f[1], ps = s[1], cf = f[0], cs = s[0];
  const bool up = pf < ps && cf > cs;
  const bool down = pf > ps && cf < cs;
  if (!up && !down) return;
  const double q = ctx.position(instrument).quantity;
  const int pos = q > 0 ? 1 : q < 0 ? -1 : 0;
  SignalFlags flags;
  flags.long_entry = up;
  flags.short_exit = up;
  flags.long_exit = down;
  flags.short_entry = down;
  const SignalDecision d = decide(pos, flags, ctx.allow_short(), ctx.exclusive(), false);
  if (d.exit) ctx.close_position(instrument, "signal");
  if (d.entry != 0) {
    OrderRequest r;
    r.instrument = instrument;
    r.side = d.entry > 0 ? model::OrderSide::kBuy : model::OrderSide::kSell;
    r.quantity = 0;  // the run's sizing, decided at the fill
    ctx.submit(r);
  }
}

}  // namespace tradeloop::strategy
