#include "tradeloop/optimize/trial.h"

#include <cstring>

namespace tradeloop::optimize {
namespace {

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void put_string(std::string& out, std::string_view s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
void put_doubles(std::string& out, const std::vector<double>& v) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(v.size()));
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

struct Reader {
  std::string_view& in;
  bool ok = true;

  template <typename T>
  T get() {
    T v{};
    if (in.size() < sizeof(T)) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::vector<double> get_doubles() {
    const auto n = get<std::uint32_t>();
    if (!ok || in.size() / sizeof(double) < n) {
      ok = false;
      return {};
    }
    std::vector<double> v(n);
    if (n > 0) std::memcpy(v.data(), in.data(), n * sizeof(double));  // memcpy from or to null is UB even for 0 bytes
    in.remove_prefix(n * sizeof(double));
    return v;
  }
};

constexpr std::uint32_t kMagic = 0x544C5431;  // "TLT1"

}  // namespace

std::string_view trial_status_name(TrialStatus status) {
  return status == TrialStatus::kOk ? "ok" : "rejected";
}

Trial make_trial(std::uint64_t index, ParamPoint params, Evaluation eval, const Objective& objective) {
  Trial t;
  t.index = index;
  t.params = std::move(params);
  Objective::Score score = objective.score(eval.metrics);
  t.values = std::move(score.values);
  t.utilities = std::move(score.utilities);
  if (!eval.rejected_reason.empty()) {
    t.status = TrialStatus::kRejected;
    t.reason = eval.rejected_reason;
  } else if (!score.rejected_reason.empty()) {
    t.status = TrialStatus::kRejected;
    t.reason = std::move(score.rejected_reason);
  }
  if (t.status == TrialStatus::kRejected) {
    for (double& u : t.utilities) u = -std::numeric_limits<double>::infinity();
  }
  eval.record.reset();
  t.eval = std::move(eval);
  return t;
}

void serialize_trial(const Trial& t, std::string& out) {
  put<std::uint32_t>(out, kMagic);
  put<std::uint64_t>(out, t.index);
  put_doubles(out, t.params);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(t.status));
  put_string(out, t.reason);
  put_doubles(out, t.values);
  put_doubles(out, t.utilities);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(t.eval.metrics.size()));
  for (const auto& [name, value] : t.eval.metrics) {
    put_string(out, name);
    put<double>(out, value);
  }
  const ReturnStats& s = t.eval.stats;
  put<std::uint64_t>(out, s.count);
  put<double>(out, s.mean);
  put<double>(out, s.stdev);
  put<double>(out, s.skew);
  put<double>(out, s.kurtosis);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.blocks.size()));
  for (const BlockMoments& b : s.blocks) {
    put<double>(out, b.count);
    put<double>(out, b.sum);
    put<double>(out, b.sum_sq);
  }
  put_doubles(out, t.eval.returns);
  put_string(out, t.eval.rejected_reason);
}

Result<Trial> deserialize_trial(std::string_view& in) {
  Reader r{in};
  Trial t;
  if (r.get<std::uint32_t>() != kMagic) return Error::data_loss("trial record: bad header");
  t.index = r.get<std::uint64_t>();
  t.params = r.get_doubles();
  const auto status = r.get<std::uint8_t>();
  if (status > 1) return Error::data_loss("trial record: bad status");
  t.status = static_cast<TrialStatus>(status);
  t.reason = r.get_string();
  t.values = r.get_doubles();
  t.utilities = r.get_doubles();
  const auto metrics = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; r.ok && i < metrics; ++i) {
    std::string name = r.get_string();
    const double value = r.get<double>();
    t.eval.metrics.emplace(std::move(name), value);
  }
  ReturnStats& s = t.eval.stats;
  s.count = r.get<std::uint64_t>();
  s.mean = r.get<double>();
  s.stdev = r.get<double>();
  s.skew = r.get<double>();
  s.kurtosis = r.get<double>();
  const auto blocks = r.get<std::uint32_t>();
  if (r.ok && blocks > in.size() / (3 * sizeof(double))) return Error::data_loss("trial record: truncated");
  for (std::uint32_t i = 0; r.ok && i < blocks; ++i) {
    BlockMoments b;
    b.count = r.get<double>();
    b.sum = r.get<double>();
    b.sum_sq = r.get<double>();
    s.blocks.push_back(b);
  }
  t.eval.returns = r.get_doubles();
  t.eval.rejected_reason = r.get_string();
  if (!r.ok) return Error::data_loss("trial record: truncated");
  return t;
}

std::ptrdiff_t best_trial(const std::vector<Trial>& trials) {
  std::ptrdiff_t best = -1;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const Trial& t = trials[i];
    if (!t.ok() || std::isnan(t.utility()) || t.utility() == -std::numeric_limits<double>::infinity())
      continue;
    if (best < 0) {
      best = static_cast<std::ptrdiff_t>(i);
      continue;
    }
    const Trial& b = trials[static_cast<std::size_t>(best)];
    if (t.utility() > b.utility() || (t.utility() == b.utility() && t.index < b.index)) {
      best = static_cast<std::ptrdiff_t>(i);
    }
  }
  return best;
}

}  // namespace tradeloop::optimize
