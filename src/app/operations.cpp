#include "app/operations.h"

#include <algorithm>

#include "common/log.h"

namespace confpro::app {

namespace {
std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

OperationsSampler::OperationsSampler(EventLoop& loop, conference::ControlApi& conference,
                                     sip::SipEndpoint& sip, media::MediaEngine& media, store::Store& store,
                                     const Clock& clock, std::string node, std::chrono::milliseconds period,
                                     std::chrono::milliseconds stuck_after)
    : loop_(loop),
      conference_(conference),
      sip_(sip),
      media_(media),
      store_(store),
      clock_(clock),
      node_(std::move(node)),
      period_(period),
      stuck_after_(stuck_after) {
  thread_ = std::thread([this] { run(); });
}

OperationsSampler::~OperationsSampler() {
  stop();
}

void OperationsSampler::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OperationsSampler::run() {
  MutexLock lock(mu_);
  while (!stopped_) {
    lock.unlock();
    sample();
    lock.lock();
    const auto until = std::chrono::steady_clock::now() + period_;
    while (!stopped_ && lock.wait_until(cv_, until) == std::cv_status::no_timeout) {
    }
  }
}

void OperationsSampler::sample() {
  // One no-op in flight at a time: while the loop is stuck its age is the lag.
  if (loop_clock_->posted_ns.load() == 0) {
    const std::int64_t posted = steady_ns();
    loop_clock_->posted_ns.store(posted);
    const bool queued = loop_.post([clock = loop_clock_, posted] {
      clock->lag_ns.store(steady_ns() - posted);
      clock->posted_ns.store(0);
    });
    if (!queued) loop_clock_->posted_ns.store(0);  // the loop stopped: we are stopping too
  }
  const auto load = conference_.load_counts();  // waits for the loop (its own timeout) on this thread only
  const auto pending = store_.count_pending_outbox();
  if (!pending && store_ok_.load())
    log::get("app")->warn("the store did not answer the health check: {} (/readyz answers 503)",
                          pending.error().message);
  else if (pending && !store_ok_.load())
    log::get("app")->info("the store answers again (/readyz ready)");
  store_ok_.store(pending.ok());
  if (pending) {
    const auto counts = load ? *load : conference::LoadCounts{};
    (void)store_.record_node_beat({node_, clock_.now(), static_cast<std::int64_t>(counts.conferences),
                                   static_cast<std::int64_t>(counts.participants)});
  }
  MutexLock lock(mu_);
  if (load) load_ = *load;
  if (pending) outbox_pending_ = *pending;
  sampled_ = true;
}

web::ProbeStatus OperationsSampler::status() {
  web::ProbeStatus s;
  const std::int64_t waiting = loop_clock_->posted_ns.load();
  s.alive = waiting == 0 || steady_ns() - waiting < std::chrono::nanoseconds(stuck_after_).count();
  s.draining = draining_.load();
  s.store_ok = store_ok_.load();
  return s;
}

namespace {

web::MetricFamily ops_gauge(std::string name, std::string help, double value) {
  return {std::move(name), std::move(help), "gauge", {{{}, value}}};
}

}  // namespace

std::vector<web::MetricFamily> OperationsSampler::metrics() {
  conference::LoadCounts load;
  std::int64_t outbox = 0;
  {
    MutexLock lock(mu_);
    load = load_;
    outbox = outbox_pending_;
  }
  const web::ProbeStatus st = status();
  const std::int64_t waiting = loop_clock_->posted_ns.load();
  // A no-op still waiting has waited at least this long: the lag is at least its age.
  const std::int64_t lag = std::max(loop_clock_->lag_ns.load(), waiting == 0 ? 0 : steady_ns() - waiting);
  const media::MediaTotals rtp = media_.totals();
  const conference::HealthReport history = conference_.health();
  std::vector<web::MetricFamily> m;
  m.push_back(
      {"confpro_node_info", "This node (server.node_id); always 1.", "gauge", {{{{"node", node_}}, 1}}});
  m.push_back(ops_gauge("confpro_sip_calls_active", "SIP calls not yet ended (in and out, IVR included).",
                        sip_.live_calls()));
  m.push_back(
      {"confpro_sip_calls_answered_total",
       "SIP calls answered since start: incoming ones whose 200 was ACKed, dial-outs the far end answered.",
       "counter",
       {{{{"direction", "in"}}, static_cast<double>(sip_.calls_answered_in())},
        {{{"direction", "out"}}, static_cast<double>(sip_.calls_answered_out())}}});
  m.push_back(ops_gauge("confpro_conferences",
                        "Conferences with a room on this node (live, ending or waiting for the "
                        "leader).",
                        static_cast<double>(load.conferences)));
  m.push_back(ops_gauge("confpro_participants", "Participants in those rooms.",
                        static_cast<double>(load.participants)));
  m.push_back(ops_gauge("confpro_media_sessions", "Media (RTP) sessions with statistics.",
                        static_cast<double>(rtp.sessions)));
  m.push_back({"confpro_rtp_packets_received_total",
               "RTP packets received, every session since start.",
               "counter",
               {{{}, static_cast<double>(rtp.packets_received)}}});
  m.push_back({"confpro_rtp_packets_lost_total",
               "RTP packets lost (sequence gaps), every session since start.",
               "counter",
               {{{}, static_cast<double>(rtp.packets_lost)}}});
  m.push_back(ops_gauge("confpro_rtp_loss_ratio",
                        "Mean fraction of RTP packets lost, over the live sessions receiving.",
                        rtp.loss_fraction_mean));
  m.push_back(
      {"confpro_rtp_jitter_seconds",
       "RFC 3550 interarrival jitter over the live sessions receiving: their mean and the largest.",
       "gauge",
       {{{{"stat", "mean"}}, rtp.jitter_ms_mean / 1000.0}, {{{"stat", "max"}}, rtp.jitter_ms_max / 1000.0}}});
  m.push_back(ops_gauge("confpro_outbox_pending",
                        "Notification outbox rows still pending (e-mail, SMS, billing).",
                        static_cast<double>(outbox)));
  m.push_back(ops_gauge("confpro_history_queued",
                        "Connection-history writes waiting (the one under way included).",
                        static_cast<double>(history.history_queued)));
  m.push_back(
      ops_gauge("confpro_control_loop_lag_seconds",
                "Time the last no-op posted to the control loop waited to run (sampled every second).",
                static_cast<double>(lag) / 1e9));
  m.push_back(ops_gauge("confpro_store_up", "1 while the store answers its health check (the outbox count).",
                        st.store_ok ? 1 : 0));
  m.push_back(ops_gauge("confpro_draining", "1 after SIGTERM: no new calls, live ones finishing.",
                        st.draining ? 1 : 0));
  return m;
}

}  // namespace confpro::app
