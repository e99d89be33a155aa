// Test harness: runs the web console on a fresh SQLite (or given PostgreSQL) database, as `confpro serve` will once it starts the web
// component. Creates the accounts the tests use, starts the server on a free port (written to --port-file),
// then reads scripted live-conference commands (scripted_live.h) from stdin, answering "ok" or an error per
// line, until stdin closes or SIGTERM.
//
// Usage: web_harness (--db PATH | --db-url sqlite://…|postgresql://…) --static DIR --port-file FILE [--no-live]
//                    [--heartbeat S] [--time-zone Z] [--threads N] [--max-streams N] [--time-scale X]
//                    [--max-sessions-per-user N] [--idle-timeout S] [--accepts N]
//                    [--tls-cert PEM --tls-key PEM] [--recordings-dir DIR] [--max-connections N]
//                    [--max-connections-per-source N] [--read-timeout S]
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "booking/booking_service.h"
#include "common/log.h"
#include "directory/local_directory.h"
#include "domain/random.h"
#include "scripted_live.h"
#include "store/store.h"
#include "web/web_server.h"

using namespace confpro;

namespace {
struct TestUser {
  const char* name;
  const char* role;
  const char* password;
  const char* display;
};
constexpr TestUser kUsers[] = {{"root", "admin", "root-password-1", "Ada Root"},
                               {"alice", "organizer", "alice-password-1", "Alice Martin"},
                               {"bob", "organizer", "bob-password-12", "Bob Durand"}};
}  // namespace

int main(int argc, char** argv) {
  std::string db, static_dir = "ui/dist", port_file, zone = "Europe/Paris", tls_cert, tls_key;
  bool live = true;
  int heartbeat = 15, threads = 0, max_streams = 200, max_sessions_per_user = 10, idle_timeout = 1800, accepts = 0;
  web::WebOptions options;
  double time_scale = 1;  // > 1: the server's clock runs faster (session expiry in seconds)
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--db") db = "sqlite://" + next();
    else if (a == "--db-url") db = next();
    else if (a == "--static") static_dir = next();
    else if (a == "--port-file") port_file = next();
    else if (a == "--no-live") live = false;
    else if (a == "--heartbeat") heartbeat = std::stoi(next());
    else if (a == "--time-zone") zone = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--max-streams") max_streams = std::stoi(next());
    else if (a == "--max-sessions-per-user") max_sessions_per_user = std::stoi(next());
    else if (a == "--time-scale") time_scale = std::stod(next());
    else if (a == "--idle-timeout") idle_timeout = std::stoi(next());
    else if (a == "--accepts") accepts = std::stoi(next());
    else if (a == "--tls-cert") tls_cert = next();
    else if (a == "--tls-key") tls_key = next();
    else if (a == "--recordings-dir") options.recordings_dir = next();
    else if (a == "--max-connections") options.max_connections = std::stoul(next());
    else if (a == "--max-connections-per-source") options.max_connections_per_source = std::stoul(next());
    else if (a == "--read-timeout") options.request_read_timeout_s = std::stoi(next());
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  (void)log::init({"warn", {}, ""});
  auto store = store::open_store(db);
  if (!store || !(*store)->migrate()) {
    std::fprintf(stderr, "cannot open %s\n", db.c_str());
    return 1;
  }
  SystemClock system_clock;
  ScaledClock clock(system_clock, time_scale);
  domain::SystemRandom random;
  directory::LocalDirectory directory(**store);
  booking::BookingServiceOptions booking_options;
  booking_options.time_zone = zone;
  booking::BookingService bookings(**store, clock, random, booking_options);
  for (const auto& u : kUsers) {
    directory::NewUser nu;
    nu.username = u.name;
    nu.password = u.password;
    nu.role = u.role;
    nu.display_name = u.display;
    nu.email = std::string(u.name) + "@example.com";
    if (auto r = directory.add_user(nu); !r && r.error().code != ErrorCode::kAlreadyExists) {
      std::fprintf(stderr, "add user: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  web::testing::ScriptedLive scripted(**store, clock);
  web::WebDeps services;
  services.clock = &clock;
  services.store = store->get();
  services.directory = &directory;
  services.bookings = &bookings;
  services.control = live ? &scripted : nullptr;
  options.address = "127.0.0.1";
  options.port = 0;
  options.static_dir = static_dir;
  options.port_file = port_file;
  if (threads > 0) options.threads = threads;
  options.tls_cert_file = tls_cert;
  options.tls_key_file = tls_key;
  options.time_zone = zone;
  options.sse_heartbeat_s = heartbeat;
  options.max_event_streams = static_cast<std::size_t>(max_streams);
  options.max_sessions_per_user = max_sessions_per_user;
  options.session_idle_timeout_s = idle_timeout;
  if (accepts > 0) options.concurrent_accepts = accepts;
  options.login_max_failures = 5;
  auto server = web::start_web(options, services);
  if (!server) {
    std::fprintf(stderr, "start_web: %s\n", server.error().message.c_str());
    return 1;
  }
  std::signal(SIGTERM, [](int) { std::fclose(stdin); });
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::cout << scripted.apply(line) << std::endl;
  }
  (*server)->stop();
  return 0;
}
