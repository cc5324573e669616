// talib_golden: writes TA-Lib reference outputs (golden CSVs) for tradeloop's indicator tests.
//
// Built by generate.sh against TA-Lib's C sources taken from the npm `talib` package (nothing of
// TA-Lib is committed to tradeloop). Uses TA-Lib's abstract interface, so one generic code path calls
// every function exactly as the Python wrapper does: startIdx = 0, endIdx = n - 1, TA-Lib's default
// unstable periods (0) and compatibility (default).
//
// Usage:
//   talib_golden describe OUT.tsv
//       One line per TA-Lib function: name, inputs, parameters (Python name:type:default:min:max),
//       outputs (Python names), lookback with the default parameters.
//   talib_golden cases CASES.txt DATA_DIR ROWS OUT_DIR
//       For every case line `indicator dataset [input=binding ...] [param=value ...]`, reads
//       DATA_DIR/<dataset>.csv (first ROWS rows), calls TA-Lib and writes OUT_DIR/<file>.csv plus a
//       line of OUT_DIR/manifest.tsv. A binding is `column` or `dataset:column`; another dataset is
//       inner-joined on the timestamp text before the first ROWS rows are taken. A dataset `*` means
//       each of GOOG-1d, EURUSD-1h and ETH_BTC-5m. `nan=R1,R2` sets rows R1, R2 of every input to NaN
//       (to record how TA-Lib propagates NaN).
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ta_abstract.h"
#include "ta_common.h"
#include "ta_func.h"

namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "talib_golden: %s\n", message.c_str());
  std::exit(2);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Python TA-Lib's names: "optInFastK_Period" -> "fastk_period"; "outRealUpperBand" -> "upperband".
std::string param_name(const char* ta_name) {
  std::string s = ta_name;
  if (s.rfind("optIn", 0) == 0) s = s.substr(5);
  return lower(s);
}

std::string output_name(const char* ta_name) {
  std::string s = ta_name;
  if (s.rfind("out", 0) == 0) s = s.substr(3);
  if (s.rfind("Real", 0) == 0 && s.size() > 4) s = s.substr(4);
  return lower(s);
}

std::vector<std::string> price_inputs(TA_InputFlags flags) {
  std::vector<std::string> out;
  if (flags & TA_IN_PRICE_OPEN) out.push_back("open");
  if (flags & TA_IN_PRICE_HIGH) out.push_back("high");
  if (flags & TA_IN_PRICE_LOW) out.push_back("low");
  if (flags & TA_IN_PRICE_CLOSE) out.push_back("close");
  if (flags & TA_IN_PRICE_VOLUME) out.push_back("volume");
  return out;
}

// Input names of a function, in TA-Lib's order ("real" inputs named real, real0, real1).
std::vector<std::string> input_names(const TA_FuncInfo* info) {
  std::vector<std::string> names;
  for (unsigned i = 0; i < info->nbInput; ++i) {
    const TA_InputParameterInfo* p = nullptr;
    TA_GetInputParameterInfo(info->handle, i, &p);
    if (p->type == TA_Input_Price) {
      for (auto& n : price_inputs(p->flags)) names.push_back(n);
    } else {
      names.push_back(lower(std::string(p->paramName).substr(2)));  // inReal0 -> real0
    }
  }
  return names;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void describe(const char* out_path) {
  std::ofstream out(out_path);
  if (!out) die(std::string("cannot write ") + out_path);
  out << "name\tgroup\tinputs\tparams\toutputs\tlookback\n";
  TA_StringTable* groups = nullptr;
  TA_GroupTableAlloc(&groups);
  std::map<std::string, std::string> lines;
  for (unsigned g = 0; g < groups->size; ++g) {
    TA_StringTable* funcs = nullptr;
    TA_FuncTableAlloc(groups->string[g], &funcs);
    for (unsigned f = 0; f < funcs->size; ++f) {
      const TA_FuncHandle* handle = nullptr;
      const TA_FuncInfo* info = nullptr;
      TA_GetFuncHandle(funcs->string[f], &handle);
      TA_GetFuncInfo(handle, &info);
      std::ostringstream line;
      line << lower(info->name) << '\t' << info->group << '\t';
      const auto inputs = input_names(info);
      for (std::size_t i = 0; i < inputs.size(); ++i) line << (i ? "," : "") << inputs[i];
      line << '\t';
      for (unsigned i = 0; i < info->nbOptInput; ++i) {
        const TA_OptInputParameterInfo* p = nullptr;
        TA_GetOptInputParameterInfo(handle, i, &p);
        line << (i ? "," : "") << param_name(p->paramName) << ':';
        switch (p->type) {
          case TA_OptInput_RealRange: {
            auto* r = static_cast<const TA_RealRange*>(p->dataSet);
            line << "double:" << fmt_double(p->defaultValue) << ':' << fmt_double(r->min) << ':'
                 << fmt_double(r->max);
            break;
          }
          case TA_OptInput_IntegerRange: {
            auto* r = static_cast<const TA_IntegerRange*>(p->dataSet);
            line << "int:" << fmt_double(p->defaultValue) << ':' << r->min << ':' << r->max;
            break;
          }
          case TA_OptInput_IntegerList: {
            auto* l = static_cast<const TA_IntegerList*>(p->dataSet);
            int lo = l->data[0].value, hi = l->data[0].value;
            for (unsigned k = 0; k < l->nbElement; ++k) {
              lo = std::min(lo, l->data[k].value);
              hi = std::max(hi, l->data[k].value);
            }
            line << "int:" << fmt_double(p->defaultValue) << ':' << lo << ':' << hi;
            break;
          }
          case TA_OptInput_RealList:
            line << "double:" << fmt_double(p->defaultValue) << ":list:list";
            break;
        }
      }
      line << '\t';
      for (unsigned i = 0; i < info->nbOutput; ++i) {
        const TA_OutputParameterInfo* p = nullptr;
        TA_GetOutputParameterInfo(handle, i, &p);
        line << (i ? "," : "") << output_name(p->paramName);
      }
      TA_ParamHolder* params = nullptr;
      TA_ParamHolderAlloc(handle, &params);
      TA_Integer lookback = -1;
      TA_GetLookback(params, &lookback);
      TA_ParamHolderFree(params);
      line << '\t' << lookback << '\n';
      lines[lower(info->name)] = line.str();
    }
    TA_FuncTableFree(funcs);
  }
  TA_GroupTableFree(groups);
  for (auto& [name, line] : lines) out << line;
}

struct Table {
  std::vector<std::string> ts;
  std::map<std::string, std::vector<double>> columns;  // open, high, low, close, volume
};

Table read_ohlcv(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  std::string line;
  std::getline(in, line);
  if (line.rfind("timestamp,open,high,low,close,volume", 0) != 0) die(path + ": unexpected header " + line);
  Table t;
  const char* names[] = {"open", "high", "low", "close", "volume"};
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');
    t.ts.push_back(cell);
    for (const char* n : names) {
      if (!std::getline(ss, cell, ',')) die(path + ": short row " + line);
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);  // glibc strtod rounds correctly
      if (end == cell.c_str()) die(path + ": bad number " + cell);
      t.columns[n].push_back(v);
    }
  }
  return t;
}

struct Case {
  std::string indicator, dataset;
  std::vector<std::pair<std::string, std::string>> bindings;  // input -> column or dataset:column
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::size_t> nan_rows;  // rows set to NaN in every input (how NaN propagates)
};

std::string join(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string s;
  for (auto& [k, v] : kv) s += (s.empty() ? "" : ";") + k + "=" + v;
  return s;
}

void run_case(const Case& c, const std::string& data_dir, std::size_t rows, const std::string& out_dir,
              const std::string& file, std::ofstream& manifest) {
  const TA_FuncHandle* handle = nullptr;
  const TA_FuncInfo* info = nullptr;
  std::string upper = c.indicator;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (TA_GetFuncHandle(upper.c_str(), &handle) != TA_SUCCESS) die("unknown TA-Lib function " + c.indicator);
  TA_GetFuncInfo(handle, &info);

  // Load the main dataset and any other dataset named in a binding; inner-join on the timestamp text.
  std::map<std::string, Table> tables;
  tables[c.dataset] = read_ohlcv(data_dir + "/" + c.dataset + ".csv");
  for (auto& [input, binding] : c.bindings) {
    const auto colon = binding.find(':');
    if (colon != std::string::npos) {
      const std::string ds = binding.substr(0, colon);
      if (!tables.count(ds)) tables[ds] = read_ohlcv(data_dir + "/" + ds + ".csv");
    }
  }
  std::vector<std::string> ts;
  std::map<std::string, std::map<std::string, std::size_t>> index;  // dataset -> ts -> row
  for (auto& [ds, t] : tables) {
    for (std::size_t i = 0; i < t.ts.size(); ++i) index[ds][t.ts[i]] = i;
  }
  for (const auto& s : tables[c.dataset].ts) {
    bool everywhere = true;
    for (auto& [ds, idx] : index) everywhere = everywhere && idx.count(s);
    if (everywhere) ts.push_back(s);
    if (ts.size() == rows) break;
  }
  const std::size_t n = ts.size();
  auto column = [&](const std::string& binding) {
    std::string ds = c.dataset, col = binding;
    const auto colon = binding.find(':');
    if (colon != std::string::npos) {
      ds = binding.substr(0, colon);
      col = binding.substr(colon + 1);
    }
    const Table& t = tables[ds];
    auto it = t.columns.find(col);
    if (it == t.columns.end()) die("unknown column " + binding);
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = it->second[index[ds][ts[i]]];
    for (std::size_t row : c.nan_rows) {
      if (row < n) v[row] = std::nan("");
    }
    return v;
  };

  std::vector<std::vector<double>> keep;  // owns every input array until the call is done
  keep.reserve(16);
  TA_ParamHolder* params = nullptr;
  TA_ParamHolderAlloc(handle, &params);
  for (unsigned i = 0; i < info->nbInput; ++i) {
    const TA_InputParameterInfo* p = nullptr;
    TA_GetInputParameterInfo(handle, i, &p);
    if (p->type == TA_Input_Price) {
      const double* ptr[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
      const char* names[] = {"open", "high", "low", "close", "volume"};
      const TA_InputFlags flags[] = {TA_IN_PRICE_OPEN, TA_IN_PRICE_HIGH, TA_IN_PRICE_LOW, TA_IN_PRICE_CLOSE,
                                     TA_IN_PRICE_VOLUME};
      for (int k = 0; k < 5; ++k) {
        if (p->flags & flags[k]) {
          std::string binding = names[k];
          for (auto& [in, b] : c.bindings) {
            if (in == names[k]) binding = b;
          }
          keep.push_back(column(binding));
          ptr[k] = keep.back().data();
        }
      }
      TA_SetInputParamPricePtr(params, i, ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], nullptr);
    } else if (p->type == TA_Input_Real) {
      const std::string name = lower(std::string(p->paramName).substr(2));
      std::string binding = "close";
      for (auto& [in, b] : c.bindings) {
        if (in == name) binding = b;
      }
      keep.push_back(column(binding));
      TA_SetInputParamRealPtr(params, i, keep.back().data());
    } else {
      die(c.indicator + ": integer inputs are not supported");
    }
  }
  for (auto& [k, v] : c.params) {
    bool found = false;
    for (unsigned i = 0; i < info->nbOptInput; ++i) {
      const TA_OptInputParameterInfo* p = nullptr;
      TA_GetOptInputParameterInfo(handle, i, &p);
      if (param_name(p->paramName) != k) continue;
      found = true;
      if (p->type == TA_OptInput_RealRange || p->type == TA_OptInput_RealList) {
        TA_SetOptInputParamReal(params, i, std::strtod(v.c_str(), nullptr));
      } else {
        TA_SetOptInputParamInteger(params, i, std::atoi(v.c_str()));
      }
    }
    if (!found) die(c.indicator + ": unknown parameter " + k);
  }
  std::vector<std::vector<double>> real_out(info->nbOutput, std::vector<double>(n));
  std::vector<std::vector<int>> int_out(info->nbOutput, std::vector<int>(n));
  std::vector<bool> is_int(info->nbOutput);
  std::vector<std::string> out_names;
  for (unsigned i = 0; i < info->nbOutput; ++i) {
    const TA_OutputParameterInfo* p = nullptr;
    TA_GetOutputParameterInfo(handle, i, &p);
    is_int[i] = p->type == TA_Output_Integer;
    out_names.push_back(info->nbOutput == 1 ? c.indicator : output_name(p->paramName));
    if (is_int[i]) {
      TA_SetOutputParamIntegerPtr(params, i, int_out[i].data());
    } else {
      TA_SetOutputParamRealPtr(params, i, real_out[i].data());
    }
  }
  TA_Integer lookback = -1, beg = 0, count = 0;
  if (TA_GetLookback(params, &lookback) != TA_SUCCESS) die(c.indicator + ": bad parameters");
  const TA_RetCode rc = TA_CallFunc(params, 0, static_cast<TA_Integer>(n) - 1, &beg, &count);
  if (rc != TA_SUCCESS) die(c.indicator + ": TA_CallFunc failed with code " + std::to_string(rc));
  TA_ParamHolderFree(params);
  // TA-Lib's own quirk (trix with timeperiod 1): the first value can come later than the lookback.
  if (count > 0 && beg != lookback) {
    std::fprintf(stderr, "talib_golden: note: %s %s: outBegIdx %d differs from the lookback %d\n",
                 c.indicator.c_str(), join(c.params).c_str(), beg, lookback);
  }

  std::ofstream out(out_dir + "/" + file);
  if (!out) die("cannot write " + out_dir + "/" + file);
  out << "timestamp";
  for (auto& name : out_names) out << ',' << name;
  out << '\n';
  for (std::size_t i = 0; i < n; ++i) {
    out << ts[i];
    const bool has = static_cast<TA_Integer>(i) >= beg && static_cast<TA_Integer>(i) < beg + count;
    for (unsigned k = 0; k < info->nbOutput; ++k) {
      out << ',';
      if (!has) continue;
      if (is_int[k]) {
        out << int_out[k][i - beg];
      } else {
        out << fmt_double(real_out[k][i - beg]);
      }
    }
    out << '\n';
  }
  std::string nan_rows;
  for (std::size_t row : c.nan_rows) nan_rows += (nan_rows.empty() ? "" : ",") + std::to_string(row);
  manifest << file << '\t' << c.indicator << '\t' << c.dataset << '\t' << n << '\t' << join(c.bindings)
           << '\t' << join(c.params) << '\t' << lookback << '\t' << nan_rows << '\n';
}

void cases(const char* cases_path, const std::string& data_dir, std::size_t rows,
           const std::string& out_dir) {
  std::ifstream in(cases_path);
  if (!in) die(std::string("cannot read ") + cases_path);
  std::ofstream manifest(out_dir + "/manifest.tsv");
  manifest << "file\tindicator\tdata\trows\tinputs\tparams\tlookback\tnan_rows\n";
  std::map<std::string, int> used;  // file stem -> cases so far
  std::string line;
  while (std::getline(in, line)) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::stringstream ss(line);
    Case c;
    if (!(ss >> c.indicator >> c.dataset)) continue;
    std::string word;
    while (ss >> word) {
      const auto eq = word.find('=');
      if (eq == std::string::npos) die("bad word '" + word + "' in: " + line);
      const std::string k = word.substr(0, eq), v = word.substr(eq + 1);
      if (k == "nan") {  // nan=ROW[,ROW...]
        std::stringstream rows_text(v);
        std::string row;
        while (std::getline(rows_text, row, ',')) c.nan_rows.push_back(std::stoul(row));
        continue;
      }
      const bool is_input = k == "open" || k == "high" || k == "low" || k == "close" || k == "volume" ||
                            k == "real" || k == "real0" || k == "real1";
      (is_input ? c.bindings : c.params).emplace_back(k, v);
    }
    std::vector<std::string> datasets;
    if (c.dataset == "*") {
      datasets = {"GOOG-1d", "EURUSD-1h", "ETH_BTC-5m"};
    } else {
      datasets = {c.dataset};
    }
    for (auto& ds : datasets) {
      Case one = c;
      one.dataset = ds;
      const std::string stem = c.indicator + "__" + ds;
      const int k = used[stem]++;
      const bool plain = c.params.empty() && c.bindings.empty() && c.nan_rows.empty();
      const std::string file = stem + (k == 0 && plain ? "" : "__" + std::to_string(k + 1)) + ".csv";
      run_case(one, data_dir, rows, out_dir, file, manifest);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (TA_Initialize() != TA_SUCCESS) die("TA_Initialize failed");
  if (argc == 3 && std::strcmp(argv[1], "describe") == 0) {
    describe(argv[2]);
  } else if (argc == 6 && std::strcmp(argv[1], "cases") == 0) {
    cases(argv[2], argv[3], static_cast<std::size_t>(std::atol(argv[4])), argv[5]);
  } else {
    die("usage: talib_golden describe OUT.tsv | talib_golden cases CASES.txt DATA_DIR ROWS OUT_DIR");
  }
  TA_Shutdown();
  return 0;
}
