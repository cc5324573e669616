// Helpers for the kernel tests: hand-made bars and a scripted strategy.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <vector>

#include "tradeloop/backtest/engine.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/strategy/strategy.h"

namespace tradeloop::backtest::testing {

inline data::BarSeries make_bars(const std::vector<std::array<double, 4>>& ohlc, std::string symbol = "TEST",
                                 Timestamp step = kNanosPerDay, double volume = 1000) {
  data::BarSeries b;
  b.symbol = std::move(symbol);
  for (std::size_t i = 0; i < ohlc.size(); ++i) {
    const auto& r = ohlc[i];
    b.push_back(static_cast<Timestamp>(i) * step + 1'600'041'600LL * kNanosPerSecond, r[0], r[1], r[2], r[3],
                volume);
  }
  return b;
}

// Runs the given actions at the given bars of instrument 0 (after the bar closes).
class ScriptStrategy final : public strategy::Strategy {
 public:
  using Action = std::function<void(strategy::StrategyContext&)>;
  std::map<std::int64_t, std::vector<Action>> at;
  std::vector<model::OrderEvent> events;
  std::vector<model::Fill> fills;
  std::function<void(strategy::StrategyContext&, const model::Fill&)> fill_hook;

  std::string_view name() const override { return "script"; }
  void on_bar(strategy::StrategyContext& ctx, std::uint32_t instrument) override {
    if (instrument != 0) return;
    auto it = at.find(ctx.bar_index(0));
    if (it == at.end()) return;
    for (auto& a : it->second) a(ctx);
  }
  void on_order_event(strategy::StrategyContext&, const model::OrderEvent& e) override {
    events.push_back(e);
  }
  void on_fill(strategy::StrategyContext& ctx, const model::Fill& f) override {
    fills.push_back(f);
    if (fill_hook) fill_hook(ctx, f);
  }
};

inline strategy::OrderRequest request(model::OrderSide side, double qty,
                                      model::OrderType type = model::OrderType::kMarket) {
  strategy::OrderRequest r;
  r.side = side;
  r.quantity = qty;
  r.type = type;
  return r;
}

inline RunResult run_engine(const std::vector<const data::BarSeries*>& bars, strategy::Strategy& s,
                            const BacktestConfig& cfg) {
  EngineInput in;
  in.bars = bars;
  RunResult out;
  auto st = run_strategy(in, s, cfg, out);
  if (!st.ok()) throw std::runtime_error(st.error().message());
  return out;
}

}  // namespace tradeloop::backtest::testing
