// Fold generators over bar indices [0, bars) for the validation schemes.
//
//   holdout      train [0, f*T), test [f*T + embargo, T)                     (f = train_fraction)
//   walkforward  K test windows of L bars after a first training window of R*L bars
//                (L = T / (K + R), R = train_ratio; the last test window takes the remainder).
//                Rolling: train = the R*L bars just before the test window; anchored: train =
//                every bar before it. The embargo removes the last bars of train.
//   kfold        K contiguous blocks (time order kept, no shuffling); test = block k, train = all
//                other blocks.
//   purged       kfold, with train bars in [test_begin - purge, test_begin) (labels that would
//                overlap the test period) and [test_end, test_end + embargo) (serial correlation
//                leaking after it) removed (López de Prado, AFML ch. 7).
//   cpcv         combinatorial purged CV: N blocks (= folds), every combination of k test blocks
//                (C(N, k) splits, lexicographic order); train = the other blocks, purged and
//                embargoed around each test block. Each block is tested in C(N-1, k-1) splits, which
//                makes k * C(N, k) / N complete out-of-sample paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/evaluator.h"

namespace tradeloop::optimize {

enum class Scheme : std::uint8_t { kHoldout = 0, kWalkForward = 1, kKFold = 2, kPurged = 3, kCpcv = 4 };

Result<Scheme> parse_scheme(std::string_view text);
std::string_view scheme_name(Scheme scheme);

struct SchemeConfig {
  Scheme scheme = Scheme::kWalkForward;
  std::size_t folds = 5;            // walkforward windows, k-fold blocks, cpcv groups (N)
  double train_fraction = 0.7;      // holdout
  double train_ratio = 3;           // walkforward: train window length / test window length
  bool anchored = false;            // walkforward
  std::size_t embargo = 0;          // bars
  std::size_t purge = 0;            // bars (purged, cpcv)
  std::size_t test_groups = 2;      // cpcv k
  std::size_t min_train_bars = 20;  // refuse folds with less training data

  std::string canonical() const;
};

struct Fold {
  std::size_t index = 0;
  BarSelection train;
  // Test blocks in time order: one range, except cpcv (one range per test group).
  BarSelection test;
  std::vector<std::size_t> test_groups;  // cpcv: the test group numbers, ascending
};

Result<std::vector<Fold>> make_folds(const SchemeConfig& config, std::size_t bars);

// cpcv paths: paths[p][g] = index of the fold whose test block g belongs to path p. Path p takes,
// for each group, the p-th split (in order) that tests it.
std::vector<std::vector<std::size_t>> cpcv_paths(const std::vector<Fold>& folds, std::size_t groups);

// Boundaries of `count` contiguous blocks of [0, bars) (the first bars % count one longer).
std::vector<BarRange> split_blocks(std::size_t bars, std::size_t count);

}  // namespace tradeloop::optimize
