// Test helpers for store/ tests: a fresh migrated SQLite store in a private temp directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/soci_include.h"
#include "store/sql_store.h"
#include "store/store.h"

namespace confpro::store::testing {

// A temp directory removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "confpro-store-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Store> open_migrated(const std::filesystem::path& file) {
  auto store = open_store("sqlite://" + file.string());
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
  if (!store.ok()) return nullptr;
  auto st = (*store)->migrate();
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return std::move(*store);
}

// The backends a store contract test runs on: "sqlite" always; "postgresql" when a server is named where the
// user may create databases (e.g. postgresql://postgres@127.0.0.1:55432/postgres): by CONFPRO_TEST_PG_URL, or
// by the file CONFPRO_TEST_PG_URL_FILE names (written by the confpro_pg CTest fixture, tests/pg_cluster.sh).
// Each PostgreSQL test gets a fresh database.
inline std::vector<std::string> test_backends() {
  return {"sqlite", "postgresql"};
}

// The PostgreSQL admin URL of the tests, or "" when none is configured.
inline std::string test_pg_admin_url() {
  if (const char* url = std::getenv("CONFPRO_TEST_PG_URL"); url != nullptr && *url != 0) return url;
  const char* file = std::getenv("CONFPRO_TEST_PG_URL_FILE");
  if (file == nullptr || *file == 0) return {};
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

inline std::string fresh_pg_database_url() {
  std::string url = test_pg_admin_url();
  if (url.empty()) return {};
  static std::atomic<int> counter{0};
  const std::string name = "confpro_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  try {
    soci::session sql("postgresql", detail::postgres_connect_string(url));
    sql << "DROP DATABASE IF EXISTS " + name;
    sql << "CREATE DATABASE " + name;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot create a PostgreSQL test database: " << e.what();
    return {};
  }
  auto slash = url.rfind('/');
  auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

// A migrated store for `backend` ("sqlite": a file in `dir`); nullptr when the backend is not available.
inline std::unique_ptr<Store> open_test_store(const std::string& backend, const std::filesystem::path& dir) {
  if (backend == "sqlite") return open_migrated(dir / "test.db");
  std::string url = fresh_pg_database_url();
  if (url.empty()) return nullptr;
  auto store = open_store(url);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
  if (!store.ok()) return nullptr;
  auto st = (*store)->migrate();
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return std::move(*store);
}

// A test run on each backend of test_backends() with a fresh, migrated store_ (skipped on PostgreSQL when none
// is configured). Fixtures derive from it and may extend SetUp (call BackendTest::SetUp() first).
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = open_test_store(GetParam(), dir_.path());
    if (!store_ && GetParam() != "sqlite") {
      GTEST_SKIP() << "no PostgreSQL: set CONFPRO_TEST_PG_URL or run through ctest (fixture pg.cluster_start)";
    }
    ASSERT_TRUE(store_);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

inline domain::Booking sample_booking(const std::string& name, const std::string& number,
                                      TimePoint valid_from) {
  domain::Booking b;
  b.name = name;
  b.owner = "alice";
  b.number = number;
  b.user_pin = "482915";
  b.moderator_pin = "739164";
  b.created_at = valid_from;
  b.valid_from = valid_from;
  b.updated_at = valid_from;
  b.duration_minutes = 60;
  b.validity_days = 1;
  b.max_participants = 10;
  return b;
}

}  // namespace confpro::store::testing
