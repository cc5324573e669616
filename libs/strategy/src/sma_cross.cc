#include "tradeloop/strategy/sma_cross.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

namespace {

// Byte j of kBitsToBytes[m] is bit j of m: eight flags stored with one lookup.
constexpr std::array<std::uint64_t, 256> kBitsToBytes = [] {
  std::array<std::uint64_t, 256> t{};
  for (std::size_t m = 0; m < 256; ++m) {
    for (std::size_t j = 0; j < 8; ++j) t[m] |= static_cast<std::uint64_t>((m >> j) & 1) << (8 * j);
  }
  return t;
}();
static_assert(std::endian::native == std::endian::little, "kBitsToBytes stores byte j as bits 8j..8j+7");

// Bit j: a[j] > b[j], for j < 8 (false when either is NaN).
inline unsigned greater8(const double* a, const double* b) {
#ifdef __SSE2__
  unsigned m = 0;
  for (int j = 0; j < 4; ++j) {
    m |=
        static_cast<unsigned>(_mm_movemask_pd(_mm_cmpgt_pd(_mm_loadu_pd(a + 2 * j), _mm_loadu_pd(b + 2 * j))))
        << (2 * j);
  }
  return m;
#else
  unsigned m = 0;
  for (int j = 0; j < 8; ++j) m |= static_cast<unsigned>(a[j] > b[j]) << j;
  return m;
#endif
}

}  // namespace

void sma_cross_flags(std::span<const double> fast, std::span<const double> slow, SignalPlan& plan) {
  const std::size_t n = fast.size();
  plan.bars = n;
  plan.long_entry.resize(n);
  plan.long_exit.resize(n);
  std::uint8_t* up = plan.long_entry.data();
  std::uint8_t* down = plan.long_exit.data();
  const double* f = fast.data();
  const double* s = slow.data();
  // up[t] = f[t-1] < s[t-1] and f[t] > s[t]; down[t] the reverse. NaN compares false, so bars before
  // either average exists never cross. Eight bars at a time as bit masks (above: f > s, below: f < s),
  // the previous bar's bits carried in; bar 0 has no previous bar.
  unsigned prev_above = 0, prev_below = 0;
  std::size_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const unsigned above = greater8(f + t, s + t);
    const unsigned below = greater8(s + t, f + t);
    const unsigned u = ((below << 1) | prev_below) & above;
    const unsigned d = ((above << 1) | prev_above) & below;
    std::memcpy(up + t, &kBitsToBytes[u & 0xff], 8);
    std::memcpy(down + t, &kBitsToBytes[d & 0xff], 8);
    prev_above = (above >> 7) & 1;
    prev_below = (below >> 7) & 1;
  }
  for (; t < n; ++t) {
    const unsigned above = f[t] > s[t], below = f[t] < s[t];
    up[t] = static_cast<std::uint8_t>(prev_below & above);
    down[t] = static_cast<std::uint8_t>(prev_above & below);
    prev_above = above;
    prev_below = below;
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
