#include "csv_scanner.h"

namespace tradeloop::data::internal {

namespace {

// The delimiter is the most frequent of , ; and tab outside quotes on the first non-blank line.
char detect_delimiter(std::string_view line) {
  std::size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    comma += c == ',';
    semicolon += c == ';';
    tab += c == '\t';
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

}  // namespace

CsvScanner::CsvScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    p_ += 3;
  }
  const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
  // Bare-CR line ends (old Mac exports): no '\n' anywhere but a '\r'.
  if (rest.find('\n') == std::string_view::npos && rest.find('\r') != std::string_view::npos) eol_ = '\r';
  std::size_t pos = 0;
  while (pos < rest.size()) {
    std::size_t e = rest.find(eol_, pos);
    if (e == std::string_view::npos) e = rest.size();
    const std::string_view line = trim(rest.substr(pos, e - pos));
    if (!line.empty()) {
      delimiter_ = detect_delimiter(line);
      break;
    }
    pos = e + 1;
  }
}

bool CsvScanner::next() {
  while (p_ < end_) {
    const char* nl = static_cast<const char*>(std::memchr(p_, eol_, static_cast<std::size_t>(end_ - p_)));
    const char* line_end = nl ? nl : end_;
    const char* begin = p_;
    p_ = nl ? nl + 1 : end_;
    line_ = next_line_++;
    const char* e = line_end;
    if (e > begin && e[-1] == '\r') --e;  // CRLF
    const char* b = begin;
    while (b < e && is_blank(*b)) ++b;
    if (b == e) continue;  // blank line
    raw_ = std::string_view(begin, static_cast<std::size_t>(e - begin));
    split(begin, e);
    return true;
  }
  return false;
}

void CsvScanner::split(const char* begin, const char* end) {
  fields_.clear();
  unterminated_ = -1;
  junk_ = -1;
  // Fast path for rows without quotes (nearly all): one byte loop, no call per field.
  const char delimiter = delimiter_;
  const char* start = begin;
  const char* c = begin;
  for (; c < end; ++c) {
    if (*c == delimiter) {
      fields_.push_back(trim(std::string_view(start, static_cast<std::size_t>(c - start))));
      start = c + 1;
    } else if (*c == '"') {
      break;
    }
  }
  if (c == end) {
    fields_.push_back(trim(std::string_view(start, static_cast<std::size_t>(end - start))));
    return;
  }
  fields_.clear();
  const char* q = begin;
  for (;;) {
    const char* s = q;
    while (s < end && is_blank(*s)) ++s;
    if (s < end && *s == '"') {
      // Quoted field: "" is an escaped quote; the quote must close on this line.
      const std::size_t index = fields_.size();
      const char* body = s + 1;
      const char* c = body;
      bool escaped = false;
      for (;;) {
        c = static_cast<const char*>(std::memchr(c, '"', static_cast<std::size_t>(end - c)));
        if (c == nullptr) break;
        if (c + 1 < end && c[1] == '"') {
          escaped = true;
          c += 2;
          continue;
        }
        break;
      }
      if (c == nullptr) {
        if (unterminated_ < 0) unterminated_ = static_cast<int>(index);
        fields_.emplace_back(body, static_cast<std::size_t>(end - body));
        return;
      }
      std::string_view value(body, static_cast<std::size_t>(c - body));
      if (escaped) {
        if (scratch_.size() <= index) scratch_.resize(index + 1);
        std::string& out = scratch_[index];
        out.clear();
        for (std::size_t i = 0; i < value.size(); ++i) {
          out.push_back(value[i]);
          if (value[i] == '"') ++i;
        }
        value = out;
      }
      fields_.push_back(value);
      q = c + 1;
      while (q < end && is_blank(*q)) ++q;
      if (q < end && *q != delimiter_) {
        if (junk_ < 0) junk_ = static_cast<int>(index);
        q = static_cast<const char*>(std::memchr(q, delimiter_, static_cast<std::size_t>(end - q)));
        if (q == nullptr) return;
      }
      if (q == end) return;
      ++q;  // the delimiter
      continue;
    }
    const char* d = static_cast<const char*>(std::memchr(q, delimiter_, static_cast<std::size_t>(end - q)));
    const char* field_end = d ? d : end;
    fields_.push_back(trim(std::string_view(q, static_cast<std::size_t>(field_end - q))));
    if (d == nullptr) return;
    q = d + 1;
  }
}

}  // namespace tradeloop::data::internal
