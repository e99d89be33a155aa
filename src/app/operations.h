// The probe behind /healthz, /readyz and /metrics (web/operations.h; issue 18 item 6), over the components
// only app/ knows: the control loop, the conference service, the SIP endpoint, the media engine and the
// store. Its own thread ("confpro-ops") samples once per `period`: it posts a no-op to the control loop and
// measures how long it took to run (the loop's lag), asks the conference service for its load (one O(rooms)
// task on the loop) and the store for the outbox backlog (one indexed COUNT, which doubles as the store's
// health check), then writes the node's heartbeat with that load (store::NodeBeat: after a crash, the restart
// closes the calls left open at the last beat, not at the restart). A scrape reads the last sample plus a few atomics and one short lock of the media
// statistics: it never waits for the control loop or the store. Thread safety: status(), metrics() and
// set_draining() from any thread; stop() (idempotent) and the destructor from the thread that made it.
// Everything passed in must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/event_loop.h"
#include "common/thread_annotations.h"
#include "common/time.h"
#include "conference/control_api.h"
#include "media/media_engine.h"
#include "sip/sip_endpoint.h"
#include "store/store.h"
#include "web/operations.h"

namespace confpro::app {

class OperationsSampler final : public web::OperationsProbe {
 public:
  // `period`: between samples [1 s]. `stuck_after`: a no-op the control loop has not run after this long
  // makes /healthz answer 503 (stuck) [5 s].
  OperationsSampler(EventLoop& loop, conference::ControlApi& conference, sip::SipEndpoint& sip,
                    media::MediaEngine& media, store::Store& store, const Clock& clock, std::string node,
                    std::chrono::milliseconds period = std::chrono::seconds(1),
                    std::chrono::milliseconds stuck_after = std::chrono::seconds(5));
  ~OperationsSampler() override;
  void stop();

  void set_draining() { draining_.store(true); }
  web::ProbeStatus status() override;
  std::vector<web::MetricFamily> metrics() override;

 private:
  void run();
  void sample();

  EventLoop& loop_;
  conference::ControlApi& conference_;
  sip::SipEndpoint& sip_;
  media::MediaEngine& media_;
  store::Store& store_;
  const Clock& clock_;
  const std::string node_;
  const std::chrono::milliseconds period_;
  const std::chrono::milliseconds stuck_after_;

  std::atomic<bool> draining_{false};
  // The no-op's clock, shared with the task posted to the loop (which may run after this sampler is gone).
  struct LoopClock {
    std::atomic<std::int64_t> posted_ns{0};  // steady ns of the no-op posted and not run yet; 0: none waits
    std::atomic<std::int64_t> lag_ns{0};     // how long the last no-op waited to run
  };
  std::shared_ptr<LoopClock> loop_clock_ = std::make_shared<LoopClock>();
  std::atomic<bool> store_ok_{true};

  Mutex mu_;
  std::condition_variable cv_;
  bool stopped_ GUARDED_BY(mu_) = false;
  bool sampled_ GUARDED_BY(mu_) = false;  // load and backlog below hold a value
  conference::LoadCounts load_ GUARDED_BY(mu_);
  std::int64_t outbox_pending_ GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace confpro::app
