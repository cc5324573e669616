// Result<T> and Error: how every expected failure (bad input, parse, I/O, network) is returned.
//
// Shaped like std::expected<T, Error> (g++ 12 in C++20 has none). An Error carries a code with
// documented retry semantics and a message that names what, where and why, for example
// `GOOG.csv:118: column 'high' (101.2) is below 'low' (101.5)`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "tradeloop/core/check.h"

namespace tradeloop {

enum class ErrorCode : std::uint8_t {
  kInvalidArgument = 1,     // the caller's input is wrong; retrying the same input fails again
  kNotFound = 2,            // a named thing (file, symbol, id) does not exist
  kOutOfRange = 3,          // a value is outside its documented range
  kFailedPrecondition = 4,  // the system is not in a state where the operation is allowed
  kUnavailable = 5,         // transient: safe to retry
  kDeadlineExceeded = 6,    // outcome unknown: reconcile, never resend blindly
  kResourceExhausted = 7,   // rate limit or quota
  kDataLoss = 8,            // unrecoverable data corruption
  kInternal = 9,            // a bug or an unexpected failure below us
  kIo = 10,                 // the operating system refused a file or socket operation
};

std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error invalid_argument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error out_of_range(std::string m) { return {ErrorCode::kOutOfRange, std::move(m)}; }
  static Error failed_precondition(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error deadline_exceeded(std::string m) { return {ErrorCode::kDeadlineExceeded, std::move(m)}; }
  static Error resource_exhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
  static Error data_loss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  static Error io(std::string m) { return {ErrorCode::kIo, std::move(m)}; }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", to add where an error happened.
  Error with_context(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design, as std::expected
  Result(Error error) : data_(std::move(error)) {}  // NOLINT

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & {
    TL_CHECK(ok(), "Result::value() on an error: ", std::get<1>(data_).message());
    return std::get<0>(data_);
  }
  const T& value() const& {
    TL_CHECK(ok(), "Result::value() on an error: ", std::get<1>(data_).message());
    return std::get<0>(data_);
  }
  T&& value() && {
    TL_CHECK(ok(), "Result::value() on an error: ", std::get<1>(data_).message());
    return std::get<0>(std::move(data_));
  }
  T value_or(T fallback) const& { return ok() ? std::get<0>(data_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  const Error& error() const& {
    TL_CHECK(!ok(), "Result::error() on a value");
    return std::get<1>(data_);
  }
  Error&& error() && {
    TL_CHECK(!ok(), "Result::error() on a value");
    return std::get<1>(std::move(data_));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    TL_CHECK(!ok(), "Result::error() on success");
    return *error_;
  }
  Error&& error() && {
    TL_CHECK(!ok(), "Result::error() on success");
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace tradeloop

#define TL_INTERNAL_CONCAT2(a, b) a##b
#define TL_INTERNAL_CONCAT(a, b) TL_INTERNAL_CONCAT2(a, b)

// Returns the error of `expr` (a Result) from the enclosing function when it failed.
#define TL_TRY(expr)                                 \
  do {                                               \
    auto&& tl_try_result_ = (expr);                  \
    if (!tl_try_result_.ok()) {                      \
      return std::move(tl_try_result_).error();      \
    }                                                \
  } while (0)

// `TL_ASSIGN_OR_RETURN(auto x, f());` declares x from the value of f() or returns its error.
#define TL_ASSIGN_OR_RETURN(lhs, expr) \
  TL_INTERNAL_ASSIGN_OR_RETURN(TL_INTERNAL_CONCAT(tl_result_, __LINE__), lhs, expr)
#define TL_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) {                                   \
    return std::move(tmp).error();                   \
  }                                                  \
  lhs = std::move(tmp).value()
