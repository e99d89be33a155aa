// Test fixture for the API without a socket: a real SQLite store in a temp dir, the local directory, the booking
// service, a fake live service, and Api; Client keeps a session cookie and CSRF token like a browser.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "booking/booking_service.h"
#include "directory/local_directory.h"
#include "domain/random.h"
#include "store/store.h"
#include "web/api.h"
#include "web/fake_control_api.h"

namespace confpro::web::testing {

struct Reply {
  int status = 0;
  nlohmann::json json;
  HttpResponse raw;
};

class ApiFixture : public ::testing::Test {
 protected:
  std::filesystem::path dir;
  ManualClock clock{from_epoch_ms(1'780'000'000'000)};  // 2026-05-28
  std::unique_ptr<store::Store> store;
  std::unique_ptr<directory::LocalDirectory> directory;
  domain::SystemRandom random;
  std::unique_ptr<booking::BookingService> bookings;
  FakeControlApi control;
  WebDeps services;
  WebOptions options;
  std::unique_ptr<Api> api;

  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("confpro-web-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    auto s = store::open_store("sqlite://" + (dir / "test.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(*s);
    ASSERT_TRUE(store->migrate().ok());
    directory = std::make_unique<directory::LocalDirectory>(*store);
    bookings = std::make_unique<booking::BookingService>(*store, clock, random, booking::BookingServiceOptions{});
    add_user("root", "admin", "admin-password-1");
    add_user("alice", "organizer", "alice-password-1");
    add_user("bob", "organizer", "bob-password-12");
    services.clock = &clock;
    services.store = store.get();
    services.directory = directory.get();
    services.bookings = bookings.get();
    services.control = with_live_service() ? &control : nullptr;
    options.time_zone = "Europe/Paris";
    options.max_body_bytes = 4096;
    options.login_max_failures = 3;
    options.recordings_dir = dir.string();
    api = std::make_unique<Api>(options, services);
  }
  void TearDown() override {
    api.reset();
    bookings.reset();
    directory.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  virtual bool with_live_service() const { return true; }

  void add_user(const std::string& name, const std::string& role, const std::string& password) {
    directory::NewUser u;
    u.username = name;
    u.password = password;
    u.role = role;
    u.email = name + "@example.com";
    auto r = directory->add_user(u);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
};

class Client {
 public:
  Client(Api& api, std::string address = "127.0.0.1") : api_(api), address_(std::move(address)) {}

  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                bool with_csrf = true) {
    HttpRequest r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = parse_query(target.substr(q + 1)).value_or(std::map<std::string, std::string>{});
    r.body = body;
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.remote_address = address_;
    if (!cookie_.empty()) r.headers["cookie"] = "confpro_session=" + cookie_;
    if (with_csrf && !csrf_.empty()) r.headers["x-csrf-token"] = csrf_;
    Reply reply;
    reply.raw = api_.handle(r);
    reply.status = reply.raw.status;
    if (!reply.raw.body.empty() && reply.raw.content_type == "application/json") {
      reply.json = nlohmann::json::parse(reply.raw.body, nullptr, false);
    }
    for (auto& [k, v] : reply.raw.headers) {
      if (k == "Set-Cookie") {
        auto start = v.find('=') + 1;
        cookie_ = v.substr(start, v.find(';') - start);
      }
    }
    return reply;
  }
  Reply login(const std::string& user, const std::string& password) {
    auto r = request("POST", "/api/v1/session",
                     nlohmann::json{{"username", user}, {"password", password}}.dump());
    if (r.status == 201) csrf_ = r.json["csrf_token"];
    return r;
  }
  Reply post(const std::string& target, const nlohmann::json& body) { return request("POST", target, body.dump()); }
  Reply patch(const std::string& target, const nlohmann::json& body) { return request("PATCH", target, body.dump()); }
  Reply get(const std::string& target) { return request("GET", target); }
  Reply del(const std::string& target) { return request("DELETE", target); }
  const std::string& cookie() const { return cookie_; }

 private:
  Api& api_;
  std::string address_;
  std::string cookie_;
  std::string csrf_;
};

inline std::string header(const HttpResponse& r, const std::string& name) {
  for (auto& [k, v] : r.headers) if (k == name) return v;
  return {};
}

}  // namespace confpro::web::testing
