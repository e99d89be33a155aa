// `confpro serve`: builds every component from the configuration, starts them, waits for SIGINT/SIGTERM, and
// stops them in reverse order (a second signal exits at once).
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "app/cli_commands.h"
#include "app/context.h"
#include "app/services.h"
#include "app/signals.h"
#include "common/event_loop.h"
#include "common/log.h"

namespace confpro::app {

namespace {

// Periodic work off the control loop: expiring unused bookings whose window lapsed.
class Housekeeping {
 public:
  Housekeeping(booking::BookingService& bookings, const Clock& clock) : bookings_(bookings), clock_(clock) {
    thread_ = std::thread([this] { run(); });
  }
  ~Housekeeping() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    auto logger = log::get("app");
    std::unique_lock lock(mu_);
    while (!stopped_) {
      lock.unlock();
      auto n = bookings_.expire_due(clock_.now());
      if (!n) logger->warn("expiring bookings failed: {}", n.error().message);
      else if (*n > 0) logger->info("{} unused booking(s) expired", *n);
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stopped_; });
    }
  }

  booking::BookingService& bookings_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

Status sync_access_numbers(store::Store& store, const Config& config) {
  for (const auto& a : config.access_numbers) {
    store::AccessNumber n;
    n.number = a.number;
    n.label = a.label;
    n.kind = a.kind;
    n.language = a.language == "en" ? domain::Language::kEnglish : domain::Language::kFrench;
    if (auto s = store.upsert_access_number(n); !s) return s;
  }
  return {};
}

}  // namespace

void add_serve_command(CLI::App& app, Runner& selected) {
  auto* cmd = app.add_subcommand("serve", "run the server (SIP, media, web) until SIGINT/SIGTERM");
  cmd->callback([&selected] { selected = [](const Config& config) { return serve(config); }; });
}

int serve(const Config& config) {
  auto logger = log::get("app");
  std::error_code ec;
  std::filesystem::create_directories(config.server.data_dir, ec);
  auto ctx_result = open_context(config);
  if (!ctx_result) {
    print_error(ctx_result.error());
    return exit_code_for(ctx_result.error());
  }
  Context& ctx = **ctx_result;
  logger->info("confpro starting: node={} storage={} time_zone={}", config.server.node_id, config.storage_url,
               config.server.time_zone);

  auto interrupted = ctx.store->close_interrupted(ctx.clock->now(), config.server.node_id);
  if (!interrupted) {
    print_error(interrupted.error());
    return 1;
  }
  if (interrupted->sessions > 0 || interrupted->connections > 0)
    logger->warn("closed {} session(s) and {} connection(s) left open by the previous run (interrupted)",
                 interrupted->sessions, interrupted->connections);

  auto admin = ctx.directory->ensure_admin(config.server.admin_user);
  if (!admin) {
    print_error(admin.error());
    return 1;
  }
  if (*admin) {
    std::printf("\n  First start: administrator account created\n    username: %s\n    password: %s\n"
                "  (shown once; change it with: confpro user passwd %s)\n\n",
                config.server.admin_user.c_str(), (*admin)->c_str(), config.server.admin_user.c_str());
    std::fflush(stdout);
  }
  if (auto s = sync_access_numbers(*ctx.store, config); !s) {
    print_error(s.error());
    return 1;
  }

  EventLoop control_loop;
  std::thread control_thread([&] { control_loop.run(); });

  Services services;
  services.clock = ctx.clock.get();
  services.control_loop = &control_loop;
  services.store = ctx.store.get();
  services.directory = ctx.directory.get();
  services.bookings = ctx.bookings.get();

  std::vector<std::unique_ptr<Component>> components;  // stopped in reverse order
  Housekeeping housekeeping(*ctx.bookings, *ctx.clock);

  logger->info("confpro ready");
  std::printf("confpro ready (Ctrl-C to stop)\n");
  std::fflush(stdout);
  int sig = wait_for_stop_signal();
  exit_on_second_signal();
  logger->info("signal {}: stopping", sig);
  for (auto it = components.rbegin(); it != components.rend(); ++it) (*it)->stop();
  housekeeping.stop();
  control_loop.stop();
  control_thread.join();
  logger->info("confpro stopped");
  return 0;
}

}  // namespace confpro::app
