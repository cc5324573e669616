#include "tradeloop/optimize/folds.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace tradeloop::optimize {
namespace {

// Sorted ranges -> non-empty, adjacent ones merged.
BarSelection normalize(BarSelection ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const BarRange& a, const BarRange& b) { return a.begin < b.begin; });
  BarSelection out;
  for (const BarRange& r : ranges) {
    if (r.end <= r.begin) continue;
    if (!out.empty() && r.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// [0, bars) minus the test blocks widened by purge before and embargo after.
BarSelection train_around(std::size_t bars, const BarSelection& test, std::size_t purge,
                          std::size_t embargo) {
  BarSelection out;
  std::size_t pos = 0;
  for (const BarRange& t : test) {
    const std::size_t cut_begin = t.begin > purge ? t.begin - purge : 0;
    if (cut_begin > pos) out.push_back(BarRange{pos, cut_begin});
    pos = std::max(pos, std::min(bars, t.end + embargo));
  }
  if (pos < bars) out.push_back(BarRange{pos, bars});
  return normalize(out);
}

}  // namespace

Result<Scheme> parse_scheme(std::string_view text) {
  if (text == "holdout") return Scheme::kHoldout;
  if (text == "walkforward" || text == "walk-forward") return Scheme::kWalkForward;
  if (text == "kfold") return Scheme::kKFold;
  if (text == "purged") return Scheme::kPurged;
  if (text == "cpcv") return Scheme::kCpcv;
  return Error::invalid_argument(
      fmt::format("--scheme '{}': expected one of holdout, walkforward, kfold, purged, cpcv", text));
}

std::string_view scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::kHoldout:
      return "holdout";
    case Scheme::kWalkForward:
      return "walkforward";
    case Scheme::kKFold:
      return "kfold";
    case Scheme::kPurged:
      return "purged";
    case Scheme::kCpcv:
      return "cpcv";
  }
  return "?";
}

std::string SchemeConfig::canonical() const {
  return fmt::format(
      "scheme={};folds={};train_fraction={};train_ratio={};anchored={};embargo={};purge={};k={}",
      scheme_name(scheme), folds, train_fraction, train_ratio, anchored, embargo, purge, test_groups);
}

std::vector<BarRange> split_blocks(std::size_t bars, std::size_t count) {
  std::vector<BarRange> out;
  if (count == 0) return out;
  const std::size_t base = bars / count, extra = bars % count;
  std::size_t pos = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t len = base + (k < extra ? 1 : 0);
    out.push_back(BarRange{pos, pos + len});
    pos += len;
  }
  return out;
}

Result<std::vector<Fold>> make_folds(const SchemeConfig& c, std::size_t bars) {
  std::vector<Fold> folds;
  const auto too_small = [&](const Fold& f) -> Status {
    const std::size_t train = selection_bars(f.train);
    if (train < c.min_train_bars) {
      return Error::invalid_argument(
          fmt::format("{} fold {}: {} training bars after purge/embargo (at least {} needed): use fewer "
                      "folds or a smaller "
                      "embargo for {} bars",
                      scheme_name(c.scheme), f.index, train, c.min_train_bars, bars));
    }
    for (const BarRange& t : f.test) {
      if (t.size() < 2) {
        return Error::invalid_argument(
            fmt::format("{} fold {}: a test window of {} bars is too short ({} bars, {} folds)",
                        scheme_name(c.scheme), f.index, t.size(), bars, c.folds));
      }
    }
    return {};
  };

  switch (c.scheme) {
    case Scheme::kHoldout: {
      if (!(c.train_fraction > 0 && c.train_fraction < 1)) {
        return Error::invalid_argument(
            fmt::format("--train-fraction {} must be between 0 and 1", c.train_fraction));
      }
      const auto split = static_cast<std::size_t>(std::floor(c.train_fraction * static_cast<double>(bars)));
      Fold f;
      f.train = {BarRange{0, split}};
      if (split + c.embargo >= bars) {
        return Error::invalid_argument(
            fmt::format("holdout: no test bars left after {} training bars and an embargo of {} ({} bars)",
                        split, c.embargo, bars));
      }
      f.test = {BarRange{split + c.embargo, bars}};
      TL_TRY(too_small(f));
      folds.push_back(std::move(f));
      break;
    }
    case Scheme::kWalkForward: {
      if (c.folds < 1) return Error::invalid_argument("walkforward needs --folds >= 1");
      if (!(c.train_ratio > 0))
        return Error::invalid_argument(fmt::format("--train-ratio {} must be positive", c.train_ratio));
      const auto window = static_cast<std::size_t>(
          std::floor(static_cast<double>(bars) / (static_cast<double>(c.folds) + c.train_ratio)));
      const auto first_train =
          static_cast<std::size_t>(std::floor(c.train_ratio * static_cast<double>(window)));
      if (window < 2 || first_train == 0) {
        return Error::invalid_argument(
            fmt::format("walkforward: {} bars are too few for {} folds with train ratio {}", bars, c.folds,
                        c.train_ratio));
      }
      for (std::size_t i = 0; i < c.folds; ++i) {
        Fold f;
        f.index = i;
        const std::size_t test_begin = first_train + i * window;
        const std::size_t test_end = i + 1 == c.folds ? bars : test_begin + window;
        const std::size_t train_end = test_begin > c.embargo ? test_begin - c.embargo : 0;
        const std::size_t train_begin =
            c.anchored ? 0 : (test_begin > first_train ? test_begin - first_train : 0);
        if (train_end > train_begin) f.train = {BarRange{train_begin, train_end}};
        f.test = {BarRange{test_begin, test_end}};
        TL_TRY(too_small(f));
        folds.push_back(std::move(f));
      }
      break;
    }
    case Scheme::kKFold:
    case Scheme::kPurged: {
      if (c.folds < 2)
        return Error::invalid_argument(fmt::format("{} needs --folds >= 2", scheme_name(c.scheme)));
      const auto blocks = split_blocks(bars, c.folds);
      const std::size_t purge = c.scheme == Scheme::kPurged ? c.purge : 0;
      for (std::size_t k = 0; k < c.folds; ++k) {
        Fold f;
        f.index = k;
        f.test = {blocks[k]};
        f.train = train_around(bars, f.test, purge, c.embargo);
        TL_TRY(too_small(f));
        folds.push_back(std::move(f));
      }
      break;
    }
    case Scheme::kCpcv: {
      const std::size_t n = c.folds, k = c.test_groups;
      if (n < 2 || k < 1 || k >= n) {
        return Error::invalid_argument(
            fmt::format("cpcv needs 1 <= test groups ({}) < groups (--folds {})", k, n));
      }
      if (n > 16)
        return Error::invalid_argument(fmt::format("cpcv: {} groups make too many splits (at most 16)", n));
      const auto blocks = split_blocks(bars, n);
      std::vector<std::size_t> idx(k);
      std::iota(idx.begin(), idx.end(), 0);
      for (std::size_t index = 0;; ++index) {
        Fold f;
        f.index = index;
        f.test_groups = idx;
        for (const std::size_t g : idx) f.test.push_back(blocks[g]);
        f.train = train_around(bars, f.test, c.purge, c.embargo);
        TL_TRY(too_small(f));
        folds.push_back(std::move(f));
        std::size_t i = k;
        while (i > 0 && idx[i - 1] == n - k + i - 1) --i;
        if (i == 0) break;
        ++idx[i - 1];
        for (std::size_t j = i; j < k; ++j) idx[j] = idx[j - 1] + 1;
      }
      break;
    }
  }
  return folds;
}

std::vector<std::vector<std::size_t>> cpcv_paths(const std::vector<Fold>& folds, std::size_t groups) {
  std::vector<std::vector<std::size_t>> by_group(groups);
  for (const Fold& f : folds) {
    for (const std::size_t g : f.test_groups) {
      if (g < groups) by_group[g].push_back(f.index);
    }
  }
  std::size_t count = by_group.empty() ? 0 : by_group[0].size();
  for (const auto& list : by_group) count = std::min(count, list.size());
  std::vector<std::vector<std::size_t>> paths(count, std::vector<std::size_t>(groups));
  for (std::size_t p = 0; p < count; ++p) {
    for (std::size_t g = 0; g < groups; ++g) paths[p][g] = by_group[g][p];
  }
  return paths;
}

}  // namespace tradeloop::optimize
