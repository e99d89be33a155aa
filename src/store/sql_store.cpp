// open_store, the session pool, transactions, error translation and migrations (sql_store.h).
#include "store/sql_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>

namespace confpro::store::detail {

Tx::Tx(soci::session& sql, Dialect dialect) : sql_(sql) {
  sql_ << (dialect == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Tx::~Tx() {
  if (done_) return;
  try {
    sql_ << "ROLLBACK";
  } catch (const std::exception&) {  // the connection is gone: nothing to roll back
  }
}

void Tx::commit() {
  sql_ << "COMMIT";
  done_ = true;
}

Error translate_exception(const std::exception& e, const char* what) {
  const std::string text = e.what();
  auto has = [&text](std::string_view s) { return text.find(s) != std::string::npos; };
  if (has("UNIQUE constraint failed") || has("duplicate key value")) {
    struct Known {
      const char* sqlite;
      const char* postgres;
      const char* field;
    };
    static const Known known[] = {
        {"bookings.number", "bookings_number_key", "number"},
        {"bookings.name", "bookings_name_key", "name"},
        {"users.username", "users_username_key", "username"},
        {"users.phone_account", "users_phone_account_key", "phone_account"},
        {"access_numbers.number", "access_numbers_pkey", "number"},
    };
    for (const auto& k : known) {
      if (has(k.sqlite) || has(k.postgres)) {
        Error err = Error::exists(std::string(k.field) + ": already taken");
        err.fields.emplace_back(k.field, "already taken", "taken");
        return err;
      }
    }
    return Error::exists(std::string(what) + ": already exists");
  }
  // A row the schema refuses (a booking deleted meanwhile, a missing value): retrying cannot help, so not
  // "unavailable" — the history writer retries that until it succeeds (issue 11 item 7).
  if (has("FOREIGN KEY constraint failed") || has("violates foreign key constraint") ||
      has("NOT NULL constraint failed") || has("violates not-null constraint") || has("CHECK constraint failed") ||
      has("violates check constraint")) {
    return Error::precondition(std::string(what) + ": refused by the schema: " + text);
  }
  if (dynamic_cast<const soci::soci_error*>(&e) != nullptr) {
    return Error::unavailable(std::string(what) + ": database error: " + text);
  }
  return Error::internal(std::string(what) + ": " + text);
}

SqlStore::SqlStore(Dialect dialect, std::string backend, std::string connect_string, int pool_size)
    : dialect_(dialect),
      backend_(std::move(backend)),
      connect_string_(std::move(connect_string)),
      pool_size_(pool_size),
      pool_(static_cast<std::size_t>(pool_size)) {}

Status SqlStore::connect() {
  try {
    for (int i = 0; i < pool_size_; ++i) {
      soci::session& sql = pool_.at(static_cast<std::size_t>(i));
      sql.open(backend_, connect_string_);
      if (dialect_ == Dialect::kSqlite) {
        // WAL lets readers run beside the writer; FULL syncs the WAL on every commit so an acknowledged write
        // survives kill -9 and power loss; foreign keys are off by default in SQLite.
        sql << "PRAGMA journal_mode=WAL";
        sql << "PRAGMA synchronous=FULL";
        sql << "PRAGMA foreign_keys=ON";
      }
    }
  } catch (const std::exception& e) {
    return Error::unavailable(std::string("cannot open the database: ") + e.what());
  }
  return {};
}

void heal_session(soci::session& sql) {
  try {
    if (!sql.is_connected()) sql.reconnect();
  } catch (const std::exception&) {  // still down: the next call tries again
  }
}

Status SqlStore::run_status(const char* what, const std::function<Status(soci::session&)>& work) {
  std::optional<soci::session> sql;
  try {
    sql.emplace(pool_);
    outbox_rows_written = false;
    Status status = work(*sql);
    if (std::exchange(outbox_rows_written, false) && status.ok()) outbox_written();
    return status;
  } catch (const std::exception& e) {
    outbox_rows_written = false;
    if (sql) heal_session(*sql);
    return translate_exception(e, what);
  }
}

// The listener runs under listener_mu_, so that once set_outbox_listener({}) returned it is not running and will
// not run (its owner may go); it must be short and must not call the store.
void SqlStore::set_outbox_listener(std::function<void()> listener) {
  MutexLock lock(listener_mu_);
  listener_ = std::move(listener);
}

void SqlStore::outbox_written() {
  MutexLock lock(listener_mu_);
  if (listener_) listener_();
}

namespace {

// Splits a migration script at ';'. A CREATE TRIGGER statement runs to its "END", a PostgreSQL "DO $$" block to
// its closing "$$" (their bodies have ';' inside).
std::vector<std::string> split_statements(const std::string& script) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < script.size()) {
    const size_t first = script.find_first_not_of(" \n\t", start);
    const bool trigger = first != std::string::npos && script.compare(first, 14, "CREATE TRIGGER") == 0;
    const bool block = first != std::string::npos && script.compare(first, 5, "DO $$") == 0;
    size_t end = script.find(';', trigger ? script.find("\nEND", first)
                                  : block ? script.find("$$", first + 5) + 2
                                          : start);
    std::string stmt = script.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (stmt.find_first_not_of(" \n\t") != std::string::npos) out.push_back(stmt);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

int current_version(soci::session& sql) {
  int version = 0;
  soci::indicator ind = soci::i_ok;
  sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

}  // namespace

Status SqlStore::migrate() { return migrate_to(static_cast<int>(migrations(dialect_).size())); }

Status SqlStore::migrate_to(int version) {
  return run_status("migrate", [this, version](soci::session& sql) -> Status {
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT "
           "NULL)";
    const auto all = migrations(dialect_);
    for (int target = 1; target <= std::min(version, static_cast<int>(all.size())); ++target) {
      Tx tx(sql, dialect_);
      if (dialect_ == Dialect::kPostgres) sql << "LOCK TABLE schema_version IN EXCLUSIVE MODE";
      if (current_version(sql) >= target) continue;  // applied (maybe by another process meanwhile)
      for (const auto& stmt : split_statements(all[static_cast<size_t>(target - 1)])) sql << stmt;
      after_migration(sql, dialect_, target);
      const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
      sql << "INSERT INTO schema_version (version, applied_at) VALUES (:v, :at)", soci::use(target, "v"),
          soci::use(now, "at");
      tx.commit();
    }
    return {};
  });
}

Result<int> SqlStore::schema_version() {
  return run<int>("schema_version", [](soci::session& sql) -> Result<int> {
    try {
      return current_version(sql);
    } catch (const soci::soci_error&) {
      return 0;  // no schema_version table yet: nothing migrated
    }
  });
}

std::int64_t count_matching(soci::session& sql, const std::string& from_where,
                            const std::function<void(soci::statement&)>& bind) {
  std::int64_t total = 0;
  soci::statement st(sql);
  st.exchange(soci::into(total));
  bind(st);
  st.alloc();
  st.prepare("SELECT COUNT(*) " + from_where);
  st.define_and_bind();
  st.execute(true);
  return total;
}

std::string page_clause(int limit, int offset) {
  return " LIMIT " + std::to_string(std::clamp(limit, 1, 1000)) + " OFFSET " + std::to_string(std::max(offset, 0));
}

std::int64_t int_at(const soci::values& v, std::size_t i) {
  switch (v.get_properties(i).get_data_type()) {
    case soci::dt_integer: return v.get<int>(i);
    case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(v.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<std::int64_t>(v.get<double>(i));
    default: return v.get<long long>(i);
  }
}

std::optional<std::int64_t> optional_int_at(const soci::values& v, std::size_t i) {
  if (v.get_indicator(i) == soci::i_null) return std::nullopt;
  return int_at(v, i);
}

std::string postgres_connect_string(const std::string& url) {
  if (url.find('=') != std::string::npos) return url;
  return url + (url.ends_with('?') ? "" : url.find('?') == std::string::npos ? "?" : "&") +
         "application_name=confpro";
}

}  // namespace confpro::store::detail

namespace confpro::store {

Result<std::unique_ptr<Store>> open_store(const std::string& url, int pool_size) {
  using detail::Dialect;
  std::unique_ptr<detail::SqlStore> store;
  if (url.starts_with("sqlite://")) {
    std::string path = url.substr(9);  // "sqlite:///abs" → "/abs"; "sqlite://rel" → "rel"
    if (path.empty()) return Error::invalid("storage_url", "sqlite:// needs a file path");
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Error::unavailable("cannot create " + parent.string() + ": " + ec.message());
    // timeout=5: wait up to 5 s for the write lock instead of failing "database is locked".
    store = std::make_unique<detail::SqlStore>(Dialect::kSqlite, "sqlite3",
                                               "db=" + path + " timeout=5 shared_cache=false",
                                               pool_size > 0 ? pool_size : 4);
  } else if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    store = std::make_unique<detail::SqlStore>(Dialect::kPostgres, "postgresql",
                                               detail::postgres_connect_string(url), pool_size > 0 ? pool_size : 4);
  } else {
    return Error::invalid("storage_url", "must start with sqlite:// or postgresql:// (got '" + url + "')");
  }
  if (auto st = store->connect(); !st) return st.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace confpro::store
