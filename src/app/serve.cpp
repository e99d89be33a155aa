// `confpro serve`: builds every component from the configuration, starts them, waits for SIGINT/SIGTERM
// (SIGTERM drains first; SIGHUP reloads, app/reload.h), and stops them in reverse order (a second signal
// exits at once).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "app/cli_commands.h"
#include "app/config_paths.h"
#include "app/context.h"
#include "app/operations.h"
#include "app/reload.h"
#include "app/services.h"
#include "app/signals.h"
#include "app/systemd_notify.h"
#include "billing/http_billing.h"
#include "billing/radius_accounting.h"
#include "common/event_loop.h"
#include "common/log.h"
#include "common/thread_annotations.h"
#include "common/worker_pool.h"
#include "conference/conference_service.h"
#include "ivr/prompt_catalog.h"
#include "media/media_engine.h"
#include "notify/delivery_worker.h"
#include "notify/reminders.h"
#include "sip/sip_endpoint.h"
#include "web/web_server.h"

namespace confpro::app {

namespace {

// Periodic work off the control loop: booking expiry (BookingService::expire_due, its one owner) every 5 s —
// bookings never used whose window lapsed, and active ones whose time ran out with nobody connected; those with a
// room on this node (asked of the conference service) are left to their room. Then, when [notify] asks for them,
// the reminders and unused notices due (notify/reminders.h), after expiry so a booking it just ended is told.
class Housekeeping {
 public:
  Housekeeping(booking::BookingService& bookings, conference::ControlApi& conference, const Clock& clock,
               notify::ReminderScan* reminders)
      : bookings_(bookings), conference_(conference), clock_(clock), reminders_(reminders) {
    thread_ = std::thread([this] { run(); });
  }
  ~Housekeeping() { stop(); }
  void stop() {
    {
      MutexLock lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    auto logger = log::get("app");
    MutexLock lock(mu_);
    while (!stopped_) {
      lock.unlock();
      if (auto rooms = conference_.bookings_with_room()) {
        auto n = bookings_.expire_due(clock_.now(), *rooms);
        if (!n) logger->warn("expiring bookings failed: {}", n.error().message);
        else if (*n > 0) logger->info("{} booking(s) expired or ended (time ran out, nobody connected)", *n);
      } else {
        logger->warn("bookings not expired this time: the conference service did not say which rooms are live");
      }
      if (reminders_ != nullptr) {
        auto n = reminders_->run_once(clock_.now());
        if (!n) logger->warn("reminders not written this time: {}", n.error().message);
        else if (*n > 0) logger->info("reminders or unused notices written for {} booking(s)", *n);
      }
      lock.lock();
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!stopped_ && lock.wait_until(cv_, until) == std::cv_status::no_timeout) {
      }
    }
  }

  booking::BookingService& bookings_;
  conference::ControlApi& conference_;
  const Clock& clock_;
  notify::ReminderScan* reminders_;  // null: none asked
  Mutex mu_;
  std::condition_variable cv_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// A component app/ owns: stopped, then destroyed with the others.
template <typename T>
class Owned final : public Component {
 public:
  explicit Owned(std::unique_ptr<T> target) : target_(std::move(target)) {}
  void stop() override { target_->stop(); }

 private:
  std::unique_ptr<T> target_;
};

template <typename T>
class StopOnce final : public Component {
 public:
  explicit StopOnce(T* target) : target_(target) {}
  void stop() override {
    if (target_) target_->stop();
    target_ = nullptr;
  }

 private:
  T* target_;
};

conference::ServiceOptions conference_options(const Config& config) {
  conference::ServiceOptions o;
  o.node_id = config.server.node_id;
  o.time_zone = config.server.time_zone;
  o.time_scale = config.server.time_scale;
  o.limits = config.conference;
  o.flow.digit_timeout = std::chrono::milliseconds(config.ivr.digit_timeout_ms);
  o.flow.first_digit_timeout = std::chrono::milliseconds(config.ivr.first_digit_timeout_ms);
  o.flow.max_tries = config.ivr.max_tries;
  o.flow.invite_answer_timeout = std::chrono::milliseconds(config.ivr.invite_answer_timeout_ms);
  o.number_rules = config.sip.number_rules;
  o.recordings_dir = config.media.recordings_dir;
  o.names_dir = names_directory(config);
  o.read_back_pins = config.ivr.read_back_pins;
  o.pin_lockout_failures = config.ivr.pin_lockout_failures;
  o.pin_lockout_conference_failures = config.ivr.pin_lockout_conference_failures;
  o.pin_lockout_window = std::chrono::seconds(config.ivr.pin_lockout_window_s);
  o.pin_lockout_duration = std::chrono::seconds(config.ivr.pin_lockout_duration_s);
  o.max_ivr_calls_per_source = config.sip.max_ivr_calls_per_source;
  // Claims (issue 18): PostgreSQL is what several nodes share; a SQLite file has one node, which hosts all.
  o.claims.enabled = config.storage_url.rfind("postgresql", 0) == 0;
  o.claims.node = config.node.name;
  o.claims.sip_uri = config.node.sip_uri;
  o.claims.ttl = std::chrono::seconds(config.node.claim_ttl_s);
  o.claims.renew = std::chrono::seconds(config.node.claim_renew_s);
  return o;
}

// The configuration's access numbers seed the store (app/reload.h); calls are routed from the store.
Status seed_access_numbers_at_start(store::Store& store, const Config& config) {
  auto added = seed_configured_access_numbers(store, config);
  if (!added) return added.error();
  if (*added > 0) log::get("app")->info("{} access number(s) from the configuration added to the store", *added);
  return {};
}

// Descriptors (issue 11): 20,000 idle web connections once used them all and calls then failed for want of an
// RTP socket. The soft limit is raised to the hard one, and the web may hold at most a quarter of it: the
// rest is kept for SIP, media and storage. Returns the web options with max_connections lowered when it had
// to be.
web::WebOptions reserve_descriptors(web::WebOptions web, const std::shared_ptr<spdlog::logger>& logger) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return web;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const auto web_share =
      static_cast<std::size_t>(limit.rlim_cur == RLIM_INFINITY ? 1u << 20 : limit.rlim_cur / 4);
  logger->info("descriptors: limit {}, web connections at most {}",
               static_cast<unsigned long long>(limit.rlim_cur), std::min(web.max_connections, web_share));
  if (web.max_connections > web_share) {
    logger->warn(
        "web.max_connections {} lowered to {}: a quarter of the descriptor limit {} (raise it with "
        "LimitNOFILE= or ulimit -n)",
        web.max_connections, web_share, static_cast<unsigned long long>(limit.rlim_cur));
    web.max_connections = std::max<std::size_t>(web_share, 1);
  }
  return web;
}

// SIGTERM: no new calls (SIP 503, OPTIONS 503, /readyz 503) while the live ones finish, for at most
// `timeout_s`; a second SIGINT/SIGTERM ends the wait. A SIGHUP meanwhile is ignored (the drain reloads
// nothing).
void drain_before_stop(sip::SipEndpoint& sip, OperationsSampler& probe, int timeout_s) {
  auto logger = log::get("app");
  probe.set_draining();
  sip.drain();
  if (timeout_s <= 0) return;
  logger->info("draining: {} live call(s), at most {} s (a second SIGTERM stops now)", sip.live_calls(),
               timeout_s);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (sip.live_calls() > 0 && std::chrono::steady_clock::now() < until) {
    const int sig = wait_for_signal_for(std::chrono::milliseconds(200));
    if (sig == SIGINT || sig == SIGTERM) {
      logger->info("signal {} while draining: stopping now", sig);
      return;
    }
  }
  if (sip.live_calls() > 0)
    logger->info("drain time over: {} call(s) still live are ended", sip.live_calls());
  else
    logger->info("drained: no call left");
}

}  // namespace

void add_serve_command(CLI::App& app, Runner& selected) {
  auto* cmd = app.add_subcommand("serve", "run the server (SIP, media, web) until SIGINT/SIGTERM");
  cmd->callback([&selected] { selected = [](const Config& config) { return serve(config); }; });
}

int serve(const Config& config) {
  auto logger = log::get("app");
  const web::WebOptions web_options =
      reserve_descriptors(config.web, logger);  // first: before any socket opens
  if (auto made = create_data_folders(config); !made) {
    print_error(made.error());
    return 1;
  }
  if (!config.web.static_dir.empty() && !std::filesystem::is_directory(config.web.static_dir))
    logger->warn("no web console at {} (web.static_dir): the API only", config.web.static_dir);
  auto ctx_result = open_context(config);
  if (!ctx_result) {
    print_error(ctx_result.error());
    return exit_code_for(ctx_result.error());
  }
  Context& ctx = **ctx_result;
  logger->info("confpro starting: node={} storage={} time_zone={} paths from {}", config.server.node_id,
               config.storage_url, config.server.time_zone, config.server.base_dir);
  logger->info("node {} at {}: conference claims {} (ttl {} s, renewed every {} s)", config.node.name,
               config.node.sip_uri, config.storage_url.rfind("postgresql", 0) == 0 ? "on" : "off (SQLite: one node)",
               config.node.claim_ttl_s, config.node.claim_renew_s);

  // What the previous run left open is closed when it was last alive (its last heartbeat, written every second,
  // plus that second), not now: the time it was down is not counted as connected, nor billed.
  TimePoint closed_at = ctx.clock->now();
  if (auto beat = ctx.store->node_beat(config.server.node_id); beat && beat->at + std::chrono::seconds(1) < closed_at)
    closed_at = beat->at + std::chrono::seconds(1);
  auto interrupted = ctx.store->close_interrupted(closed_at, config.server.node_id);
  (void)ctx.store->record_node_beat({config.server.node_id, ctx.clock->now(), 0, 0});  // this run is alive
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
  if (auto s = seed_access_numbers_at_start(*ctx.store, config); !s) {
    print_error(s.error());
    return 1;
  }

  EventLoop control_loop;
  std::thread control_thread([&] { control_loop.run(); });

  web::WebDeps web_deps;  // what the console's routes use (web/ gets no media engine nor SIP endpoint)
  web_deps.clock = ctx.clock.get();
  web_deps.store = ctx.store.get();
  web_deps.directory = ctx.logins.get();
  web_deps.bookings = ctx.bookings.get();

  std::vector<std::unique_ptr<Component>> components;  // stopped in reverse order
  std::unique_ptr<Housekeeping> housekeeping;  // started once the conference service exists
  auto stop_all = [&] {
    if (housekeeping) housekeeping->stop();  // first: it asks the conference service
    for (auto it = components.rbegin(); it != components.rend(); ++it) (*it)->stop();
    // Destroy them now, newest first, while what they borrow (the conference service, the media engine) lives.
    while (!components.empty()) components.pop_back();
    control_loop.stop();
    control_thread.join();
  };
  auto fail_start = [&](const Error& e) {
    print_error(e);
    stop_all();
    return exit_code_for(e) == 2 ? 2 : 1;
  };

  // Prompts: recorded ones from Debian's packages; sentences they lack are spoken once by espeak-ng.
  ivr::PromptCatalog::Options prompt_options;
  prompt_options.sounds_dir = config.ivr.sounds_dir;
  prompt_options.moh_dir = config.ivr.moh_dir;
  prompt_options.overrides_dir = config.ivr.overrides_dir;
  prompt_options.generated_dir = config.ivr.generated_dir;
  ivr::PromptCatalog prompts(prompt_options);
  if (auto prepared = prompts.prepare_all(); !prepared) {
    logger->warn("some prompts could not be prepared: {}", prepared.error().message);
  } else {
    logger->info("prompts: {} recorded, {} overridden, {} generated now, {} cached ({} ms)", prepared->recorded,
                 prepared->overridden, prepared->generated, prepared->reused, prepared->took.count());
  }

  // Media engine → conference service → SIP endpoint (the service is SIP's call handler) → web console.
  std::atomic<conference::ConferenceService*> conference_sink{nullptr};
  auto media = media::make_media_engine(config.media, [&conference_sink](media::Event e) {
    if (auto* c = conference_sink.load()) c->on_media_event(std::move(e));
  });
  if (!media) return fail_start(media.error());
  components.push_back(std::make_unique<StopOnce<media::MediaEngine>>(media->get()));

  // Store, directory and hashing calls of the conference service, answered back on the control loop; stopped
  // (drained) after the service, before the media engine.
  WorkerPool work_pool(2, "confpro-work");
  components.push_back(std::make_unique<StopOnce<WorkerPool>>(&work_pool));
  conference::ServiceOptions service_options = conference_options(config);
  service_options.claims.clock = &ctx.system_clock;  // claims compare the nodes' wall clocks, never scaled ones
  conference::ConferenceService conference(control_loop, work_pool, *ctx.clock, *ctx.store, *ctx.bookings, *ctx.logins,
                                           **media, prompts, std::move(service_options));
  conference_sink = &conference;
  web_deps.control = &conference;
  notify::ReminderOptions reminder_options = config.notify.reminders;
  reminder_options.time_zone = config.server.time_zone;
  notify::ReminderScan reminders(*ctx.store, reminder_options);
  housekeeping = std::make_unique<Housekeeping>(*ctx.bookings, conference, *ctx.clock,
                                                reminders.enabled() ? &reminders : nullptr);
  // RADIUS accounting of billed conferences ([billing] coupling = "radius", [billing.radius] accounting), on
  // its own thread; stopped after the conference service, so that it still sees the last legs leave.
  if (ctx.radius && (config.billing.radius.accounting || config.billing.radius.enforce_credit)) {
    billing::AccountingOptions accounting{config.server.node_id, config.billing.radius.interim_seconds};
    accounting.accounting = config.billing.radius.accounting;
    accounting.enforce_credit = config.billing.radius.enforce_credit;
    accounting.reauthorize_seconds = config.billing.radius.reauthorize_seconds;
    accounting.credit_warning = std::chrono::seconds{config.conference.credit_warning_seconds};
    components.push_back(std::make_unique<Owned<billing::RadiusAccounting>>(
        std::make_unique<billing::RadiusAccounting>(*ctx.radius, *ctx.store, conference, *ctx.clock, accounting)));
  }
  // The outbox's delivery worker, on its own thread, when [notify.smtp] or [notify.sms] is set, or [billing]
  // coupling = "http" (its commits and refunds are "billing" rows; billing/http_billing.h) (else the rows
  // stay pending).
  std::map<std::string, std::unique_ptr<notify::Sender>> billing_senders;
  if (config.billing.coupling == "http")
    billing_senders[billing::kHttpBillingKind] =
        std::make_unique<billing::HttpBillingSender>(config.billing.http, *ctx.clock);
  if (!config.notify.smtp.url.empty() || !config.notify.sms.url.empty() || !billing_senders.empty()) {
    auto delivery = make_delivery_worker(*ctx.store, *ctx.clock, config.notify, std::move(billing_senders));
    delivery->start();
    components.push_back(std::make_unique<Owned<notify::DeliveryWorker>>(std::move(delivery)));
  }

  // The CDR files, on their own thread, when [billing.cdr] dir is set.
  if (!config.cdr.dir.empty()) {
    auto cdr = std::make_unique<booking::CdrExporter>(*ctx.store, *ctx.clock, config.cdr);
    cdr->start();
    components.push_back(std::make_unique<Owned<booking::CdrExporter>>(std::move(cdr)));
  }

  auto sip = sip::start_sip_endpoint(config.sip, **media, conference);
  if (!sip) return fail_start(sip.error());
  conference.attach_sip(sip->get());
  components.push_back(std::make_unique<StopOnce<sip::SipEndpoint>>(sip->get()));
  components.push_back(std::make_unique<StopOnce<conference::ConferenceService>>(&conference));
  logger->info("SIP listening on {}:{} (UDP, TCP)", config.sip.listen_address, (*sip)->bound_port());

  // /healthz, /readyz, /metrics: sampled on their own thread; stopped before the conference service (it asks
  // it).
  auto operations = std::make_unique<OperationsSampler>(control_loop, conference, **sip, **media, *ctx.store,
                                                        *ctx.clock, config.server.node_id);
  OperationsSampler& probe = *operations;
  web_deps.operations = operations.get();
  components.push_back(std::make_unique<Owned<OperationsSampler>>(std::move(operations)));

  auto web = web::start_web(web_options, web_deps);
  if (!web) return fail_start(web.error());
  components.push_back(std::make_unique<Owned<web::RunningWeb>>(std::move(*web)));

  logger->info("confpro ready");
  std::printf("confpro ready: SIP port %u, web http://localhost:%d/ (Ctrl-C to stop)\n",
              static_cast<unsigned>((*sip)->bound_port()), config.web.port);
  std::fflush(stdout);
  notify_systemd("READY=1\nSTATUS=taking calls");
  Config running = config;  // what SIGHUP reloaded last
  int sig = 0;
  while ((sig = wait_for_signal()) == SIGHUP) {
    notify_systemd("RELOADING=1\nSTATUS=reloading the configuration");
    auto reloaded = reload_config(running, ReloadTargets{*ctx.store, conference, **sip});
    if (!reloaded)
      logger->error("SIGHUP: configuration refused, the running one is kept: {}",
                    format_config_errors(reloaded.error()));
    else
      running = std::move(*reloaded);
    notify_systemd("READY=1\nSTATUS=taking calls");
  }
  notify_systemd(sig == SIGTERM ? "STOPPING=1\nSTATUS=draining" : "STOPPING=1\nSTATUS=stopping");
  if (sig == SIGTERM) drain_before_stop(**sip, probe, config.server.drain_timeout_s);
  exit_on_second_signal();
  logger->info("signal {}: stopping", sig);
  stop_all();
  logger->info("confpro stopped");
  return 0;
}

}  // namespace confpro::app
