// Typed fast path to the most used indicators: plain functions over spans, for the backtest kernel,
// optimizers and benchmarks that know at compile time what they compute. Each gives exactly what the
// registry's indicator of the same name gives (make_indicator("sma", ...)->compute(...)): TA-Lib's
// values, NaN during the lookback.
//
// Common rules:
//   - REQUIRES: every output span has the size of the inputs; outputs do not overlap inputs; parameters
//     are within the ranges list_indicators() reports (violations are bugs: TL_CHECK aborts). Validate
//     user input with make_indicator() / resolve_params() first.
//   - Leading bars where an input is NaN are skipped as TA-Lib's Python wrapper does: the computation
//     starts at the first bar where every input is a number (outputs NaN before it, and the lookback
//     counts from there). A NaN later in the series propagates as TA-Lib's arithmetic propagates it.
#pragma once

#include <cstdint>
#include <span>

namespace tradeloop::indicators {

// TA-Lib's moving-average types (the `matype` parameter), same numbers.
enum class MaType : std::uint8_t {
  kSma = 0,
  kEma = 1,
  kWma = 2,
  kDema = 3,
  kTema = 4,
  kTrima = 5,
  kKama = 6,
  kMama = 7,  // MESA adaptive: ignores the period (fast limit 0.5, slow limit 0.05)
  kT3 = 8,    // volume factor 0.7
};

// Leading bars without a value of ma(period, type): TA_MA_Lookback (0 for period 1, which copies).
int ma_lookback(int period, MaType type);

// ---- overlap studies
// Lookbacks: sma/ema/wma/trima period-1, dema 2(period-1), tema 3(period-1), kama period, t3 6(period-1),
// mama 32, ht_trendline 63, midpoint/midprice period-1, sar 1.
void sma(std::span<const double> in, int period, std::span<double> out);
void ema(std::span<const double> in, int period, std::span<double> out);
void wma(std::span<const double> in, int period, std::span<double> out);
void dema(std::span<const double> in, int period, std::span<double> out);
void tema(std::span<const double> in, int period, std::span<double> out);
void trima(std::span<const double> in, int period, std::span<double> out);
void kama(std::span<const double> in, int period, std::span<double> out);
void t3(std::span<const double> in, int period, double vfactor, std::span<double> out);
void mama(std::span<const double> in, double fast_limit, double slow_limit, std::span<double> mama_out,
          std::span<double> fama_out);
void ma(std::span<const double> in, int period, MaType type, std::span<double> out);
// Middle band = ma(period, type); bands = middle +- nbdev * population standard deviation over period.
void bbands(std::span<const double> in, int period, double nbdevup, double nbdevdn, MaType type,
            std::span<double> upper, std::span<double> middle, std::span<double> lower);
void midpoint(std::span<const double> in, int period, std::span<double> out);
void midprice(std::span<const double> high, std::span<const double> low, int period, std::span<double> out);
void sar(std::span<const double> high, std::span<const double> low, double acceleration, double maximum,
         std::span<double> out);
void ht_trendline(std::span<const double> in, std::span<double> out);

// ---- momentum
// Lookbacks: rsi period, macd slow-1 + signal-1, stoch fastk-1 + ma lookbacks, adx 2*period-1,
// cci/willr period-1, mom/roc period.
void rsi(std::span<const double> in, int period, std::span<double> out);
void macd(std::span<const double> in, int fast_period, int slow_period, int signal_period,
          std::span<double> macd_out, std::span<double> signal_out, std::span<double> hist_out);
void stoch(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int fastk_period, int slowk_period, MaType slowk_type, int slowd_period, MaType slowd_type,
           std::span<double> slowk, std::span<double> slowd);
void adx(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out);
void cci(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out);
void willr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out);
void mom(std::span<const double> in, int period, std::span<double> out);
void roc(std::span<const double> in, int period, std::span<double> out);

// ---- volatility
// Lookbacks: atr/natr period (trange for period 1), trange 1.
void atr(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out);
void natr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          int period, std::span<double> out);
void trange(std::span<const double> high, std::span<const double> low, std::span<const double> close,
            std::span<double> out);

}  // namespace tradeloop::indicators
