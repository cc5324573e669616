// Internal: splits CSV text into records and fields with hand-rolled scanning (memchr per line and
// per field). Views point into the text, or into per-field scratch strings when a quoted field had
// "" escapes; they stay valid until the next call to next().
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tradeloop::data::internal {

class CsvScanner {
 public:
  explicit CsvScanner(std::string_view text);

  // Moves to the next record that is not blank. False at the end of the text.
  bool next();

  std::size_t line() const { return line_; }  // 1-based line of the current record
  char delimiter() const { return delimiter_; }
  const std::vector<std::string_view>& fields() const { return fields_; }
  // Index of the first field whose quote does not close on its line, -1 when none.
  int unterminated_field() const { return unterminated_; }
  // Index of the first field with text after its closing quote, -1 when none.
  int junk_field() const { return junk_; }
  // The raw text of the current record (without its line end).
  std::string_view raw() const { return raw_; }

 private:
  void split(const char* begin, const char* end);

  const char* p_;
  const char* end_;
  char eol_ = '\n';  // '\r' for files with bare CR line ends
  char delimiter_ = ',';
  std::size_t line_ = 0;
  std::size_t next_line_ = 1;
  std::string_view raw_;
  std::vector<std::string_view> fields_;
  std::vector<std::string> scratch_;
  int unterminated_ = -1;
  int junk_ = -1;
};

inline bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace tradeloop::data::internal
