// Thin RAII helpers over the SQLite C API for the discovery store: a connection, prepared
// statements that reset themselves, and a transaction guard that rolls back unless committed.
#pragma once

#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"

namespace tradeloop::discover::internal {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
  }
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      if (stmt_ != nullptr) sqlite3_finalize(stmt_);
      db_ = other.db_;
      stmt_ = other.stmt_;
      other.stmt_ = nullptr;
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Clears bindings and the previous step so the statement can be reused.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  void bind_blob(int i, std::span<const double> v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size_bytes()), SQLITE_TRANSIENT);
  }
  // A non-finite or missing double is stored as NULL.
  void bind(int i, std::optional<double> v) {
    if (v && std::isfinite(*v)) {
      bind(i, *v);
    } else {
      bind_null(i);
    }
  }
  void bind(int i, std::span<const double> v) { bind_blob(i, v); }
  void bind(int i, const std::vector<double>& v) { bind_blob(i, v); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, int v) { bind(i, static_cast<std::int64_t>(v)); }

  // Resets the statement and binds the values to parameters 1, 2, ... in order.
  template <class... Values>
  void bind_row(const Values&... values) {
    reset();
    int i = 0;
    (bind(++i, values), ...);
  }

  // True when a row is available, false when done; an error names the SQLite message.
  Result<bool> step();
  Status run();  // step until done

  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i));
  }
  std::span<const std::uint8_t> column_blob(int i) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, i));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))};
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status open(const std::string& path);
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::string last_error() const { return db_ == nullptr ? "not open" : sqlite3_errmsg(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)db_.exec("ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status begin() {
    TL_TRY(db_.exec("BEGIN IMMEDIATE"));
    open_ = true;
    return ok_status();
  }
  Status commit() {
    TL_TRY(db_.exec("COMMIT"));
    open_ = false;
    return ok_status();
  }

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace tradeloop::discover::internal
