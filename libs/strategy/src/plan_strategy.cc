#include "tradeloop/strategy/plan_strategy.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "tradeloop/strategy/signal_decision.h"

namespace tradeloop::strategy {

namespace {
bool flag(const std::vector<std::uint8_t>& v, std::size_t t) {
  return !v.empty() && v[t] != 0;
}
}  // namespace

Status SignalPlanStrategy::on_start(StrategyContext& ctx) {
  if (ctx.num_instruments() == 0) return Error::invalid_argument(fmt::format("{}: no instrument", name_));
  if (!plan_.hedge_ratio.empty()) {
    return Error::invalid_argument(fmt::format("{}: pairs plans run on the signal runner", name_));
  }
  sizing_ = model::SizingMode::kFixed;
  sizing_value_ = 0;
  if (use_plan_sizing_ && !plan_.sizing.empty()) {
    // The CLI's syntax (execution::Sizing::parse, which this module cannot depend on).
    const std::string& s = plan_.sizing;
    const auto colon = s.find(':');
    const std::string method = s.substr(0, colon);
    double value = 0;
    if (colon != std::string::npos) {
      char* end = nullptr;
      value = std::strtod(s.c_str() + colon + 1, &end);
      if (end == s.c_str() + colon + 1 || *end != '\0' || !(value > 0)) {
        return Error::invalid_argument(
            fmt::format("{}: plan sizing '{}': the value must be a number > 0", name_, s));
      }
    }
    if (method == "all_in" && colon == std::string::npos) {
      sizing_ = model::SizingMode::kAllIn;
    } else if (method == "percent" && colon != std::string::npos) {
      sizing_ = model::SizingMode::kPercent;
    } else if (method == "cash" && colon != std::string::npos) {
      sizing_ = model::SizingMode::kCash;
    } else if (method == "risk" && colon != std::string::npos) {
      sizing_ = model::SizingMode::kRisk;
    } else if (method == "units" && colon != std::string::npos) {
      sizing_ = model::SizingMode::kFixed;  // a quantity on the order
    } else {
      return Error::invalid_argument(
          fmt::format("{}: plan sizing '{}' is not all_in, percent:P, cash:X, risk:P or units:N", name_, s));
    }
    sizing_value_ = value;
  }
  return ok_status();
}

void SignalPlanStrategy::on_fill(StrategyContext& ctx, const model::Fill& fill) {
  if (fill.instrument == 0 && ctx.position(0).quantity == 0) last_exit_bar_ = fill.bar;
}

void SignalPlanStrategy::on_bar(StrategyContext& ctx, std::uint32_t instrument) {
  if (instrument != 0) return;
  const std::int64_t i = ctx.bar_index(0);
  if (i < 0 || static_cast<std::size_t>(i) >= plan_.bars) return;
  const auto t = static_cast<std::size_t>(i);
  const ExitRules& ex = plan_.exits;
  const int cooldown = ex.cooldown_bars;
  SignalFlags f;
  f.long_entry = flag(plan_.long_entry, t);
  f.long_exit = flag(plan_.long_exit, t);
  f.short_entry = flag(plan_.short_entry, t);
  f.short_exit = flag(plan_.short_exit, t);
  f.entry_allowed = (plan_.entry_allowed.empty() || plan_.entry_allowed[t] != 0) &&
                    !(cooldown > 0 && last_exit_bar_ >= 0 && i < last_exit_bar_ + cooldown);
  const double q = ctx.position(0).quantity;
  const int pos = q > 0 ? 1 : q < 0 ? -1 : 0;
  const SignalDecision d = decide(pos, f, ctx.allow_short(), ctx.exclusive(), cooldown > 0);
  if (d.exit) ctx.close_position(0, "signal");
  if (d.entry == 0) return;
  OrderRequest r;
  r.side = d.entry > 0 ? model::OrderSide::kBuy : model::OrderSide::kSell;
  r.quantity = 0;  // the run's sizing, at the fill
  if (sizing_ == model::SizingMode::kFixed) {
    r.quantity = sizing_value_;  // units:N; 0 = the run's sizing
  } else {
    r.sizing = sizing_;
    r.sizing_value = sizing_value_;
  }
  // Exit rules become a bracket priced from the entry's fill; ATR multiples use the signal bar's ATR.
  const double atr = t < ex.atr.size() ? ex.atr[t] : std::nan("");
  Bracket& b = r.bracket;
  b.stop_loss_pct = ex.stop_loss_pct;
  b.take_profit_pct = ex.take_profit_pct;
  b.trailing_stop_pct = ex.trailing_stop_pct;
  if (!std::isnan(ex.stop_loss_atr) && !std::isnan(atr)) b.stop_loss_distance = ex.stop_loss_atr * atr;
  if (!std::isnan(ex.take_profit_atr) && !std::isnan(atr)) b.take_profit_distance = ex.take_profit_atr * atr;
  if (!std::isnan(ex.trailing_stop_atr) && !std::isnan(atr))
    b.trailing_stop_distance = ex.trailing_stop_atr * atr;
  ctx.submit(r);
}

}  // namespace tradeloop::strategy
