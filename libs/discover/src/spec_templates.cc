#include "spec_templates.h"

#include <deque>
#include <string>

namespace tradeloop::discover::internal {

namespace {

using T = SpecGenerator::Template;

T single(const char* type, const char* name, const char* summary, std::vector<TemplateParam> params,
         const char* long_entry, const char* long_exit, const char* short_entry, const char* short_exit,
         std::vector<const char*> constraints, std::vector<const char*> indicators) {
  T t;
  t.type = type;
  t.name = name;
  t.summary = summary;
  t.params = std::move(params);
  t.long_entry = long_entry;
  t.long_exit = long_exit;
  t.short_entry = short_entry;
  t.short_exit = short_exit;
  t.constraints = std::move(constraints);
  t.indicators = std::move(indicators);
  return t;
}

T pairs(const char* name, const char* summary, std::vector<TemplateParam> params, const char* long_entry,
        const char* long_exit, const char* short_entry, const char* short_exit,
        std::vector<const char*> indicators, const char* hedge_ratio,
        std::vector<std::pair<const char*, const char*>> series) {
  T t = single("arbitrage", name, summary, std::move(params), long_entry, long_exit, short_entry, short_exit,
               {}, std::move(indicators));
  t.pair = true;
  t.hedge_ratio = hedge_ratio;
  t.series = std::move(series);
  return t;
}

}  // namespace

const std::vector<SpecGenerator::Template>& spec_templates() {
  static const std::vector<T> templates = [] {
    std::vector<T> t;
    // --- momentum: ride moves that have started ---
    t.push_back(
        single("momentum", "macd_cross", "MACD line crossing its signal line",
               {{"fast", true, 3, 30, 0}, {"slow", true, 10, 80, 0}, {"signal", true, 2, 20, 0}},
               "crosses_above(macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macd, "
               "macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macdsignal)",
               "crosses_below(macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macd, "
               "macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macdsignal)",
               "crosses_below(macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macd, "
               "macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macdsignal)",
               "crosses_above(macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macd, "
               "macd(close, fastperiod=fast, slowperiod=slow, signalperiod=signal).macdsignal)",
               {"fast < slow"}, {"macd"}));
    t.push_back(single(
        "momentum", "rsi_momentum", "RSI breaking above a bullish level",
        {{"period", true, 5, 30, 0}, {"level", false, 50, 75, 0.5}, {"exit_level", false, 30, 55, 0.5}},
        "crosses_above(rsi(close, timeperiod=period), level)",
        "crosses_below(rsi(close, timeperiod=period), exit_level)",
        "crosses_below(rsi(close, timeperiod=period), 100 - level)",
        "crosses_above(rsi(close, timeperiod=period), 100 - exit_level)", {}, {"rsi"}));
    t.push_back(single("momentum", "roc_momentum", "rate of change above a threshold",
                       {{"period", true, 3, 60, 0}, {"threshold", false, 0, 5, 0.05}},
                       "roc(close, timeperiod=period) > threshold", "roc(close, timeperiod=period) < 0",
                       "roc(close, timeperiod=period) < -threshold", "roc(close, timeperiod=period) > 0", {},
                       {"roc"}));
    t.push_back(single("momentum", "momentum_trend", "positive momentum above a moving average",
                       {{"period", true, 3, 50, 0}, {"trend", true, 10, 150, 0}},
                       "mom(close, timeperiod=period) > 0 and close > ema(close, timeperiod=trend)",
                       "mom(close, timeperiod=period) < 0",
                       "mom(close, timeperiod=period) < 0 and close < ema(close, timeperiod=trend)",
                       "mom(close, timeperiod=period) > 0", {}, {"mom", "ema"}));
    // --- mean reversion: fade stretched prices ---
    t.push_back(single(
        "mean_reversion", "rsi_reversion", "buy oversold RSI, sell overbought",
        {{"period", true, 2, 30, 0}, {"oversold", false, 10, 40, 0.5}, {"overbought", false, 55, 90, 0.5}},
        "rsi(close, timeperiod=period) < oversold", "rsi(close, timeperiod=period) > overbought",
        "rsi(close, timeperiod=period) > 100 - oversold", "rsi(close, timeperiod=period) < 100 - overbought",
        {}, {"rsi"}));
    t.push_back(single(
        "mean_reversion", "bollinger_reversion", "close outside a Bollinger band, exit at the middle",
        {{"period", true, 10, 60, 0}, {"width", false, 1.0, 3.0, 0.1}},
        "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).lowerband",
        "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband",
        "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).upperband",
        "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband", {}, {"bbands"}));
    t.push_back(single(
        "mean_reversion", "zscore_reversion", "z-score of the close against its moving average",
        {{"period", true, 10, 100, 0}, {"entry_z", false, 1.0, 3.0, 0.1}, {"exit_z", false, 0, 1.0, 0.1}},
        "(close - sma(close, timeperiod=period)) / stddev(close, timeperiod=period) < -entry_z",
        "(close - sma(close, timeperiod=period)) / stddev(close, timeperiod=period) > -exit_z",
        "(close - sma(close, timeperiod=period)) / stddev(close, timeperiod=period) > entry_z",
        "(close - sma(close, timeperiod=period)) / stddev(close, timeperiod=period) < exit_z", {},
        {"sma", "stddev"}));
    t.push_back(
        single("mean_reversion", "stochastic_reversion", "slow stochastic in its extremes",
               {{"k_period", true, 5, 30, 0}, {"low", false, 5, 30, 0.5}, {"high", false, 60, 95, 0.5}},
               "stoch(high, low, close, fastk_period=k_period).slowk < low",
               "stoch(high, low, close, fastk_period=k_period).slowk > high",
               "stoch(high, low, close, fastk_period=k_period).slowk > 100 - low",
               "stoch(high, low, close, fastk_period=k_period).slowk < 100 - high", {}, {"stoch"}));
    t.push_back(single("mean_reversion", "cci_reversion", "commodity channel index beyond a band",
                       {{"period", true, 10, 50, 0}, {"band", false, 80, 250, 5}},
                       "cci(high, low, close, timeperiod=period) < -band",
                       "cci(high, low, close, timeperiod=period) > 0",
                       "cci(high, low, close, timeperiod=period) > band",
                       "cci(high, low, close, timeperiod=period) < 0", {}, {"cci"}));
    // --- breakout: trade the break of a range ---
    t.push_back(single("breakout", "donchian_breakout", "close above the highest high of the channel",
                       {{"entry_period", true, 10, 100, 0}, {"exit_period", true, 5, 60, 0}},
                       "close > highest(high, entry_period)[1]", "close < lowest(low, exit_period)[1]",
                       "close < lowest(low, entry_period)[1]", "close > highest(high, exit_period)[1]", {},
                       {}));
    t.push_back(single("breakout", "bollinger_breakout", "close beyond the upper Bollinger band",
                       {{"period", true, 10, 60, 0}, {"width", false, 1.0, 3.0, 0.1}},
                       "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).upperband",
                       "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband",
                       "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).lowerband",
                       "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband",
                       {}, {"bbands"}));
    t.push_back(single(
        "breakout", "atr_channel_breakout", "close beyond a moving average plus ATR multiples",
        {{"period", true, 10, 100, 0}, {"atr_period", true, 5, 50, 0}, {"multiple", false, 0.5, 4.0, 0.1}},
        "close > sma(close, timeperiod=period) + multiple * atr(high, low, close, timeperiod=atr_period)",
        "close < sma(close, timeperiod=period)",
        "close < sma(close, timeperiod=period) - multiple * atr(high, low, close, timeperiod=atr_period)",
        "close > sma(close, timeperiod=period)", {}, {"sma", "atr"}));
    // --- trend: follow established direction ---
    for (const char* ma : {"sma", "ema", "wma", "dema", "tema", "kama"}) {
      const std::string n = std::string(ma);
      static std::deque<std::string> keep;  // stable addresses: the table keeps c_str() pointers
      keep.push_back(n + "_cross");
      keep.push_back("crosses_above(" + n + "(close, timeperiod=fast), " + n + "(close, timeperiod=slow))");
      keep.push_back("crosses_below(" + n + "(close, timeperiod=fast), " + n + "(close, timeperiod=slow))");
      const std::size_t k = keep.size();
      t.push_back(single("trend", keep[k - 3].c_str(), "fast moving average crossing a slow one",
                         {{"fast", true, 2, 50, 0}, {"slow", true, 10, 200, 0}}, keep[k - 2].c_str(),
                         keep[k - 1].c_str(), keep[k - 1].c_str(), keep[k - 2].c_str(), {"fast < slow"},
                         {ma}));
    }
    t.push_back(single("trend", "adx_trend", "moving average cross confirmed by a strong ADX",
                       {{"fast", true, 3, 40, 0},
                        {"slow", true, 15, 150, 0},
                        {"adx_period", true, 7, 30, 0},
                        {"strength", false, 15, 40, 0.5}},
                       "ema(close, timeperiod=fast) > ema(close, timeperiod=slow) and adx(high, low, close, "
                       "timeperiod=adx_period) > strength",
                       "ema(close, timeperiod=fast) < ema(close, timeperiod=slow)",
                       "ema(close, timeperiod=fast) < ema(close, timeperiod=slow) and adx(high, low, close, "
                       "timeperiod=adx_period) > strength",
                       "ema(close, timeperiod=fast) > ema(close, timeperiod=slow)", {"fast < slow"},
                       {"ema", "adx"}));
    t.push_back(
        single("trend", "rising_average", "close above a rising moving average",
               {{"period", true, 10, 150, 0}, {"lookback", true, 1, 10, 0}},
               "close > ema(close, timeperiod=period) and rising(ema(close, timeperiod=period), lookback)",
               "close < ema(close, timeperiod=period)",
               "close < ema(close, timeperiod=period) and falling(ema(close, timeperiod=period), lookback)",
               "close > ema(close, timeperiod=period)", {}, {"ema"}));
    t.push_back(single("trend", "regression_slope", "slope of a linear regression of the close",
                       {{"period", true, 10, 100, 0}}, "linearreg_slope(close, timeperiod=period) > 0",
                       "linearreg_slope(close, timeperiod=period) < 0",
                       "linearreg_slope(close, timeperiod=period) < 0",
                       "linearreg_slope(close, timeperiod=period) > 0", {}, {"linearreg_slope"}));
    // --- volatility: trade expansions and contractions of the range ---
    t.push_back(single("volatility", "atr_expansion", "ATR expanding above its average on an up bar",
                       {{"atr_period", true, 5, 30, 0},
                        {"average", true, 10, 100, 0},
                        {"ratio", false, 1.0, 2.5, 0.05},
                        {"trend", true, 10, 100, 0}},
                       "atr(high, low, close, timeperiod=atr_period) > ratio * sma(atr(high, low, close, "
                       "timeperiod=atr_period), timeperiod=average) and close > close[1]",
                       "close < ema(close, timeperiod=trend)",
                       "atr(high, low, close, timeperiod=atr_period) > ratio * sma(atr(high, low, close, "
                       "timeperiod=atr_period), timeperiod=average) and close < close[1]",
                       "close > ema(close, timeperiod=trend)", {}, {"atr", "sma", "ema"}));
    t.push_back(single(
        "volatility", "squeeze_breakout", "narrow Bollinger bands, then a close above the band",
        {{"period", true, 10, 60, 0},
         {"width", false, 1.0, 3.0, 0.1},
         {"squeeze", false, 0.5, 1.0, 0.01},
         {"lookback", true, 20, 150, 0}},
        "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).upperband and "
        "stddev(close, timeperiod=period) < squeeze * highest(stddev(close, timeperiod=period), lookback)",
        "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband",
        "close < bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).lowerband and "
        "stddev(close, timeperiod=period) < squeeze * highest(stddev(close, timeperiod=period), lookback)",
        "close > bbands(close, timeperiod=period, nbdevup=width, nbdevdn=width).middleband", {},
        {"bbands", "stddev"}));
    t.push_back(single(
        "volatility", "panic_reversion", "buy a volatility spike with an oversold RSI",
        {{"natr_period", true, 5, 30, 0},
         {"spike", false, 1.2, 3.0, 0.05},
         {"rsi_period", true, 2, 20, 0},
         {"oversold", false, 10, 40, 0.5},
         {"exit_level", false, 45, 80, 0.5}},
        "natr(high, low, close, timeperiod=natr_period) > spike * sma(natr(high, low, close, "
        "timeperiod=natr_period), timeperiod=50) and rsi(close, timeperiod=rsi_period) < oversold",
        "rsi(close, timeperiod=rsi_period) > exit_level", nullptr, nullptr, {}, {"natr", "sma", "rsi"}));
    // --- arbitrage: two legs y and x, z-score of the hedged spread ---
    t.push_back(pairs(
        "pairs_zscore", "z-score of the spread y - hedge * x with a rolling hedge ratio",
        {{"hedge_period", true, 20, 300, 0},
         {"z_period", true, 10, 200, 0},
         {"entry_z", false, 1.0, 3.0, 0.1},
         {"exit_z", false, 0, 1.0, 0.1}},
        "zscore < -entry_z", "zscore > -exit_z", "zscore > entry_z", "zscore < exit_z", {"sma", "stddev"},
        "hedge",
        {{"hedge", "sma(y.close, timeperiod=hedge_period) / sma(x.close, timeperiod=hedge_period)"},
         {"spread", "y.close - hedge * x.close"},
         {"zscore", "(spread - sma(spread, timeperiod=z_period)) / stddev(spread, timeperiod=z_period)"}}));
    t.push_back(pairs(
        "ratio_reversion", "z-score of the price ratio y / x",
        {{"z_period", true, 10, 300, 0}, {"entry_z", false, 1.0, 3.0, 0.1}, {"exit_z", false, 0, 1.0, 0.1}},
        "zscore < -entry_z", "zscore > -exit_z", "zscore > entry_z", "zscore < exit_z", {"sma", "stddev"},
        "ratio_hedge",
        {{"ratio", "y.close / x.close"},
         {"ratio_hedge", "sma(ratio, timeperiod=z_period)"},
         {"zscore", "(ratio - sma(ratio, timeperiod=z_period)) / stddev(ratio, timeperiod=z_period)"}}));
    return t;
  }();
  return templates;
}

const std::vector<FilterCondition>& filter_conditions() {
  static const std::vector<FilterCondition> filters = {
      {"close > ema(close, timeperiod={N})", "close < ema(close, timeperiod={N})", {"ema"}, 10, 200, 0, 0},
      {"close > sma(close, timeperiod={N})", "close < sma(close, timeperiod={N})", {"sma"}, 10, 200, 0, 0},
      {"adx(high, low, close, timeperiod={N}) > {T}",
       "adx(high, low, close, timeperiod={N}) > {T}",
       {"adx"},
       7,
       30,
       15,
       40},
      {"rsi(close, timeperiod={N}) < {T}", "rsi(close, timeperiod={N}) > 100 - {T}", {"rsi"}, 5, 30, 50, 85},
      {"rsi(close, timeperiod={N}) > {T}", "rsi(close, timeperiod={N}) < 100 - {T}", {"rsi"}, 5, 30, 40, 60},
      {"volume > sma(volume, timeperiod={N})", "volume > sma(volume, timeperiod={N})", {"sma"}, 5, 50, 0, 0},
      {"natr(high, low, close, timeperiod={N}) > {T}",
       "natr(high, low, close, timeperiod={N}) > {T}",
       {"natr"},
       7,
       30,
       0.5,
       2.0,
       true},
      {"natr(high, low, close, timeperiod={N}) < {T}",
       "natr(high, low, close, timeperiod={N}) < {T}",
       {"natr"},
       7,
       30,
       0.8,
       3.0,
       true},
      {"rising(ema(close, timeperiod={N}), 3)",
       "falling(ema(close, timeperiod={N}), 3)",
       {"ema"},
       10,
       100,
       0,
       0},
      {"close > close[{N}]", "close < close[{N}]", {}, 1, 20, 0, 0},
      {"mfi(high, low, close, volume, timeperiod={N}) < {T}",
       "mfi(high, low, close, volume, timeperiod={N}) > 100 - {T}",
       {"mfi"},
       7,
       30,
       40,
       85},
  };
  return filters;
}

const std::vector<std::vector<const char*>>& swap_classes() {
  static const std::vector<std::vector<const char*>> classes = {
      // Moving averages and fits of the price: same scale as the price.
      {"sma", "ema", "wma", "dema", "tema", "trima", "kama", "midpoint", "linearreg", "tsf"},
      // Bounded 0..100 oscillators read with the same 30/70 conventions.
      {"rsi", "mfi"},
      // Trend strength, 0..100.
      {"adx", "adxr", "dx"},
      // Volatility in price units.
      {"atr", "stddev"},
  };
  return classes;
}

}  // namespace tradeloop::discover::internal
