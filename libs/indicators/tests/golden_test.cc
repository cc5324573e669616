// Every TA-Lib golden file (tests/golden, made by TA-Lib 0.6 itself, see tests/golden/README.md)
// against our batch output: same lookback, NaN exactly where TA-Lib has no value (or NaN), and every
// value within 1e-9 relative.
//
// (Today every value is bit-identical to TA-Lib's; the XML output records per case the largest relative
// difference and how many values differ in any bit.)
//
// Tolerance: |ours - talib| <= 1e-9 * max(|talib|, 1e-6 * scale), where scale is the largest |value|
// of that column; the floor keeps values that cancel to ~0 (a MACD histogram crossing zero) from
// turning a 1e-17 absolute difference into an infinite relative one.
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sample_data.h"
#include "tradeloop/core/time.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators {
namespace {

using testing::sample_bars;

constexpr double kRelativeTolerance = 1e-9;

std::string golden_dir() {
  return std::string(TL_SOURCE_DIR) + "/libs/indicators/tests/golden";
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::stringstream ss(text);
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  if (!text.empty() && text.back() == sep) out.emplace_back();
  return out;
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> out;
  if (text.empty()) return out;
  for (const auto& kv : split(text, ';')) {
    const auto eq = kv.find('=');
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

struct GoldenCase {
  std::string file, indicator, data;
  std::size_t rows = 0;
  std::map<std::string, std::string> inputs;  // input -> column or dataset:column
  std::map<std::string, double> params;
  int lookback = 0;
  std::vector<std::size_t> nan_rows;
};

void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.file;
}

std::vector<GoldenCase> load_manifest() {
  std::vector<GoldenCase> cases;
  std::ifstream in(golden_dir() + "/manifest.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split(line, '\t');
    GoldenCase c;
    c.file = f.at(0);
    c.indicator = f.at(1);
    c.data = f.at(2);
    c.rows = std::stoul(f.at(3));
    c.inputs = key_values(f.at(4));
    for (const auto& [k, v] : key_values(f.at(5))) c.params[k] = std::stod(v);
    c.lookback = std::stoi(f.at(6));
    if (f.size() > 7 && !f[7].empty()) {
      for (const auto& r : split(f[7], ',')) c.nan_rows.push_back(std::stoul(r));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

struct GoldenTable {
  std::vector<std::string> columns;  // output names (timestamp excluded)
  std::vector<std::string> ts;
  std::vector<std::vector<double>> values;  // values[column][row], NaN for empty or nan cells
};

GoldenTable load_golden(const std::string& file) {
  GoldenTable t;
  std::ifstream in(golden_dir() + "/" + file);
  std::string line;
  std::getline(in, line);
  auto header = split(line, ',');
  t.columns.assign(header.begin() + 1, header.end());
  t.values.resize(t.columns.size());
  while (std::getline(in, line)) {
    const auto cells = split(line, ',');
    t.ts.push_back(cells.at(0));
    for (std::size_t k = 0; k < t.columns.size(); ++k) {
      const std::string& cell = cells.at(k + 1);
      t.values[k].push_back(cell.empty() || cell.find("nan") != std::string::npos ? std::nan("")
                                                                                  : std::stod(cell));
    }
  }
  return t;
}

// The input columns of a case: the first `rows` bars of its dataset, inner-joined on time with any
// other dataset a binding names, NaN rows applied.
struct CaseInputs {
  std::vector<Timestamp> ts;
  std::map<std::string, std::vector<double>> columns;  // input name -> values
};

const std::vector<double>& column_of(const data::BarSeries& b, const std::string& name) {
  if (name == "open") return b.open;
  if (name == "high") return b.high;
  if (name == "low") return b.low;
  if (name == "volume") return b.volume;
  EXPECT_EQ(name, "close");
  return b.close;
}

CaseInputs case_inputs(const GoldenCase& c, const IndicatorInfo& info) {
  const data::BarSeries& main = sample_bars(c.data);
  std::map<std::string, const data::BarSeries*> others;
  for (const auto& [input, binding] : c.inputs) {
    const auto colon = binding.find(':');
    if (colon != std::string::npos) others[binding.substr(0, colon)] = &sample_bars(binding.substr(0, colon));
  }
  // Rows of main (and of each other dataset) present everywhere, in main's order.
  std::vector<std::size_t> rows;
  std::map<std::string, std::vector<std::size_t>> other_rows;
  std::map<std::string, std::map<Timestamp, std::size_t>> index;
  for (const auto& [name, s] : others) {
    for (std::size_t i = 0; i < s->ts.size(); ++i) index[name][s->ts[i]] = i;
  }
  for (std::size_t i = 0; i < main.ts.size() && rows.size() < c.rows; ++i) {
    bool everywhere = true;
    for (const auto& [name, idx] : index) everywhere = everywhere && idx.count(main.ts[i]) > 0;
    if (!everywhere) continue;
    rows.push_back(i);
    for (const auto& [name, idx] : index) other_rows[name].push_back(idx.at(main.ts[i]));
  }
  CaseInputs out;
  for (std::size_t r : rows) out.ts.push_back(main.ts[r]);
  for (const std::string& input : info.inputs) {
    std::string binding = input;
    if (input == "real" || input == "real0" || input == "real1") binding = "close";
    if (auto it = c.inputs.find(input); it != c.inputs.end()) binding = it->second;
    std::vector<double> v;
    const auto colon = binding.find(':');
    if (colon == std::string::npos) {
      const auto& col = column_of(main, binding);
      for (std::size_t r : rows) v.push_back(col[r]);
    } else {
      const std::string ds = binding.substr(0, colon);
      const auto& col = column_of(*others[ds], binding.substr(colon + 1));
      for (std::size_t r : other_rows[ds]) v.push_back(col[r]);
    }
    for (std::size_t r : c.nan_rows) {
      if (r < v.size()) v[r] = std::nan("");
    }
    out.columns[input] = std::move(v);
  }
  return out;
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, BatchEqualsTaLib) {
  const GoldenCase& c = GetParam();
  const IndicatorInfo* info = find_indicator(c.indicator);
  if (info == nullptr) GTEST_SKIP() << c.indicator << " is not registered yet";

  std::map<std::string, double> params(c.params.begin(), c.params.end());
  auto made = make_indicator(c.indicator, params);
  ASSERT_TRUE(made.ok()) << made.error().message();
  Indicator& ind = **made;
  EXPECT_EQ(ind.lookback(), c.lookback) << "lookback differs from TA_GetLookback";

  const CaseInputs inputs = case_inputs(c, *info);
  const GoldenTable golden = load_golden(c.file);
  ASSERT_EQ(golden.ts.size(), inputs.ts.size()) << "row count";
  for (std::size_t i = 0; i < inputs.ts.size(); ++i) {
    auto t = parse_time(golden.ts[i]);
    ASSERT_TRUE(t.ok() && *t == inputs.ts[i]) << "row " << i << ": golden time " << golden.ts[i];
  }
  ASSERT_EQ(golden.columns, info->outputs) << "output names";

  InputSeries in;
  in.ts = inputs.ts;
  for (const auto& [name, values] : inputs.columns) {
    std::span<const double> s(values);
    if (name == "open") in.open = s;
    if (name == "high") in.high = s;
    if (name == "low") in.low = s;
    if (name == "close") in.close = s;
    if (name == "volume") in.volume = s;
    if (name == "real") in.real = s;
    if (name == "real0") in.real0 = s;
    if (name == "real1") in.real1 = s;
  }
  const std::size_t n = inputs.ts.size();
  std::vector<std::vector<double>> out(info->outputs.size(), std::vector<double>(n));
  std::vector<std::span<double>> spans(out.begin(), out.end());
  ind.compute(in, spans);

  double worst = 0.0;
  std::size_t bit_different = 0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    double scale = 0.0;
    for (double v : golden.values[k]) {
      if (!std::isnan(v)) scale = std::max(scale, std::fabs(v));
    }
    int failures = 0;
    for (std::size_t i = 0; i < n && failures < 5; ++i) {
      const double ref = golden.values[k][i];
      const double ours = out[k][i];
      if (std::isnan(ref) || std::isnan(ours)) {
        if (std::isnan(ref) != std::isnan(ours)) {
          ++failures;
          ADD_FAILURE() << c.file << " " << golden.columns[k] << " row " << i << " (" << golden.ts[i]
                        << "): talib " << ref << ", ours " << ours;
        }
        continue;
      }
      const double diff = std::fabs(ours - ref);
      if (ours != ref) ++bit_different;
      const double bound = kRelativeTolerance * std::max(std::fabs(ref), 1e-6 * scale);
      if (std::fabs(ref) > 0) worst = std::max(worst, diff / std::fabs(ref));
      if (!(diff <= bound)) {
        ++failures;
        ADD_FAILURE() << c.file << " " << golden.columns[k] << " row " << i << " (" << golden.ts[i]
                      << "): talib " << ref << ", ours " << ours << ", diff " << diff;
      }
    }
  }
  std::ostringstream worst_text;
  worst_text << std::setprecision(3) << worst;
  RecordProperty("max_relative_difference", worst_text.str());
  RecordProperty("values_not_bit_identical", static_cast<int>(bit_different));
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.file.substr(0, info.param.file.size() - 4);
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(TaLib, GoldenTest, ::testing::ValuesIn(load_manifest()), case_name);

TEST(GoldenTest, ManifestCoversEveryTaLibIndicatorOfTheIssue) {
  const std::vector<std::string> expected = {"sma",
                                             "ema",
                                             "wma",
                                             "dema",
                                             "tema",
                                             "trima",
                                             "kama",
                                             "mama",
                                             "t3",
                                             "bbands",
                                             "midpoint",
                                             "midprice",
                                             "sar",
                                             "sarext",
                                             "ht_trendline",
                                             "ma",
                                             "rsi",
                                             "macd",
                                             "macdext",
                                             "macdfix",
                                             "stoch",
                                             "stochf",
                                             "stochrsi",
                                             "adx",
                                             "adxr",
                                             "plus_di",
                                             "minus_di",
                                             "plus_dm",
                                             "minus_dm",
                                             "dx",
                                             "cci",
                                             "willr",
                                             "mfi",
                                             "roc",
                                             "rocp",
                                             "rocr",
                                             "mom",
                                             "trix",
                                             "ultosc",
                                             "aroon",
                                             "aroonosc",
                                             "cmo",
                                             "ppo",
                                             "apo",
                                             "bop",
                                             "atr",
                                             "natr",
                                             "trange",
                                             "obv",
                                             "ad",
                                             "adosc",
                                             "stddev",
                                             "var",
                                             "linearreg",
                                             "linearreg_slope",
                                             "linearreg_angle",
                                             "linearreg_intercept",
                                             "tsf",
                                             "beta",
                                             "correl",
                                             "cdldoji",
                                             "cdlhammer",
                                             "cdlengulfing",
                                             "cdlharami",
                                             "cdlmorningstar",
                                             "cdleveningstar",
                                             "cdlshootingstar",
                                             "cdl3whitesoldiers",
                                             "cdl3blackcrows"};
  std::map<std::string, int> files;
  for (const auto& c : load_manifest()) ++files[c.indicator];
  for (const auto& name : expected) {
    EXPECT_GE(files[name], 1) << name << " has no golden file";
    EXPECT_NE(find_indicator(name), nullptr) << name << " is not registered";
  }
}

}  // namespace
}  // namespace tradeloop::indicators
