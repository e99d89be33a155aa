// Test helpers for store/ tests: a fresh migrated SQLite store in a private temp directory.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

inline domain::Booking sample_booking(const std::string& name, const std::string& number, TimePoint valid_from) {
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
