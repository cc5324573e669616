// ParamSpace: the parameters an optimizer searches over (int, float or categorical), parsed from the
// CLI's `--param name=min:max[:step]` (ends inclusive) or `--param name=a,b,c` (categorical).
//
// A point of the space (ParamPoint) holds one double per parameter, in declaration order: the value
// for int and float parameters (ints are whole numbers), the choice index for categorical ones.
// The grid enumerates points with the first parameter varying slowest, as nested loops written in
// the order the parameters were given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/rng.h"

namespace tradeloop::optimize {

enum class ParamKind : std::uint8_t { kInt = 0, kFloat = 1, kCategorical = 2 };

std::string_view param_kind_name(ParamKind kind);

struct ParamDef {
  std::string name;
  ParamKind kind = ParamKind::kInt;
  double min = 0;  // inclusive
  double max = 0;  // inclusive
  // Lattice step from min. 0 for a continuous float (not enumerable by the grid). Ints default to 1.
  double step = 0;
  // Decimal places of min/max/step as written ("0.05" -> 2): lattice values are rounded to them so
  // that 0.1 + 2 * 0.1 prints as 0.3.
  int decimals = 0;
  std::vector<std::string> choices;  // categorical only

  bool continuous() const { return kind == ParamKind::kFloat && step == 0; }
  // Points on the lattice (choices for categorical); 0 when continuous.
  std::uint64_t count() const;
  // The i-th lattice value (choice index for categorical). REQUIRES: i < count().
  double value_at(std::uint64_t i) const;
};

using ParamPoint = std::vector<double>;

// Parses "name=min:max[:step]", "name=value" (a fixed value) or "name=a,b,c" (categorical). Kind:
// int when min, max and step are whole numbers, float otherwise. Errors name the argument and why:
// "--param 'fast=25:5': min 25 is above max 5".
Result<ParamDef> parse_param(std::string_view text);

class ParamSpace {
 public:
  ParamSpace() = default;

  // Adds a parameter. Errors on a duplicate name, min > max, a negative step or an empty choice list.
  Status add(ParamDef def);
  // Changes a numeric parameter's kind (e.g. to float when the strategy declares it float).
  Status set_kind(std::string_view name, ParamKind kind);

  std::size_t size() const { return params_.size(); }
  bool empty() const { return params_.empty(); }
  const ParamDef& operator[](std::size_t i) const { return params_[i]; }
  const std::vector<ParamDef>& params() const { return params_; }
  // Index of a parameter by name, or -1.
  int find(std::string_view name) const;

  // Number of grid points; an error names the continuous parameter (grid needs a step) or overflow.
  Result<std::uint64_t> grid_size() const;
  // REQUIRES: index < grid_size().
  ParamPoint grid_point(std::uint64_t index) const;

  // Uniform over the lattice (uniform over [min, max] for continuous floats).
  ParamPoint sample(Rng& rng) const;
  // Clips to [min, max] and rounds to the lattice (categorical: nearest valid index).
  ParamPoint snap(const ParamPoint& point) const;
  void snap_one(std::size_t i, double& value) const;

  // Unit-cube encoding for surrogate models: numeric params map to [0, 1]; categorical ones to a
  // one-hot block. decode() snaps.
  std::size_t encoded_size() const;
  void encode(const ParamPoint& point, double* out) const;
  ParamPoint decode(const double* in) const;

  // Points one lattice step away along one numeric parameter (both directions, inside the range);
  // for continuous floats the step is 1/20 of the range. Categorical parameters are held fixed.
  std::vector<ParamPoint> neighbours(const ParamPoint& point) const;

  // Exact identity of a point, for deduplication ("5,10" with shortest round-trip doubles).
  std::string key(const ParamPoint& point) const;
  // The value as a user reads it: "5", "0.25", "ema".
  std::string value_text(std::size_t i, double value) const;
  // {"fast":5,"slow":10,"ma":"ema"} in declaration order.
  std::string to_json(const ParamPoint& point) const;
  // Canonical description for run identities: "fast=int:5:25:5;slow=int:10:65:5".
  std::string canonical() const;

 private:
  std::vector<ParamDef> params_;
};

}  // namespace tradeloop::optimize
