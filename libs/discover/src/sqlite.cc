#include "sqlite.h"

#include <fmt/format.h>

namespace tradeloop::discover::internal {

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error::io(fmt::format("sqlite: {} (in '{}')", sqlite3_errmsg(db_), sqlite3_sql(stmt_)));
}

Status Statement::run() {
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return ok_status();
  }
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::open(const std::string& path) {
  path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    return Error::io(fmt::format("{}: cannot open the discovery database: {}", path, message));
  }
  // A second process (a resumed run, `strategies list`) may hold the write lock for a moment.
  sqlite3_busy_timeout(db_, 10000);
  return ok_status();
}

Status Database::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return Error::io(fmt::format("{}: sqlite: {} (in '{}')", path_, m, text.substr(0, 80)));
  }
  return ok_status();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return Error::internal(
        fmt::format("{}: sqlite cannot prepare '{}': {}", path_, sql, sqlite3_errmsg(db_)));
  }
  return Statement(db_, stmt);
}

}  // namespace tradeloop::discover::internal
