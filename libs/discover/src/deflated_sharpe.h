// The deflated Sharpe ratio as the gates need it. TEMPORARY: libs/optimize owns the statistic;
// this forwards to it once it lands (see docs/discover.md).
#pragma once

namespace tradeloop::discover::internal {

// sr: the candidate's per-bar Sharpe ratio; variance: the sample variance of the per-bar Sharpe
// ratios of all `trials`; bars: returns observed; skew and kurtosis (not excess) of the returns.
double deflated_sharpe(double sr, double variance, double trials, double bars, double skew, double kurtosis);

}  // namespace tradeloop::discover::internal
