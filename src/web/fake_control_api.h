// A fake conference::ControlApi for web/ tests: live conferences are set by the test; actions are recorded;
// emit() delivers an event to the subscribers as the control loop would.
// Thread safety: guarded by one mutex; emit() calls subscribers on the caller's thread.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "conference/control_api.h"
#include "common/thread_annotations.h"

namespace confpro::web::testing {

class FakeControlApi final : public conference::ControlApi {
 public:
  std::vector<conference::LiveConference> conferences;  // set by the test
  std::vector<std::string> actions;                     // "mute 5 7 alice", "end 5 root", …
  conference::HealthReport health_report;               // what health() answers, set by the test

  conference::HealthReport health() override {
    MutexLock lock(mutex_);
    return health_report;
  }

  std::vector<conference::LiveConference> live_conferences() override {
    MutexLock lock(mutex_);
    return conferences;
  }
  std::optional<conference::LiveConference> live_conference(BookingId id) override {
    MutexLock lock(mutex_);
    for (auto& c : conferences) if (c.booking == id) return c;
    return std::nullopt;
  }
  Status set_muted(BookingId c, ParticipantId p, bool muted, const std::string& actor) override {
    return record((muted ? "mute " : "unmute ") + std::to_string(c.value()) + " " + std::to_string(p.value()) + " " + actor);
  }
  Status eject(BookingId c, ParticipantId p, const std::string& actor) override {
    return record("eject " + std::to_string(c.value()) + " " + std::to_string(p.value()) + " " + actor);
  }
  Status set_locked(BookingId c, bool locked, const std::string& actor) override {
    return record((locked ? "lock " : "unlock ") + std::to_string(c.value()) + " " + actor);
  }
  Status end_conference(BookingId c, const std::string& actor) override {
    return record("end " + std::to_string(c.value()) + " " + actor);
  }
  Result<conference::InviteResult> invite_by_number(BookingId c, const std::string& number,
                                                    const std::string& actor) override {
    (void)record("invite " + std::to_string(c.value()) + " " + number + " " + actor);
    return conference::InviteResult{"inv-1", "dialing"};
  }
  SubscriptionId subscribe(Subscriber s) override {
    MutexLock lock(mutex_);
    subscribers_[++next_] = std::move(s);
    return next_;
  }
  void unsubscribe(SubscriptionId id) override {
    MutexLock lock(mutex_);
    subscribers_.erase(id);
  }
  void emit(const conference::ConferenceEvent& e) {
    std::map<SubscriptionId, Subscriber> copy;
    {
      MutexLock lock(mutex_);
      copy = subscribers_;
    }
    for (auto& [id, s] : copy) s(e);
  }
  std::size_t subscriber_count() {
    MutexLock lock(mutex_);
    return subscribers_.size();
  }

 private:
  Status record(std::string action) {
    MutexLock lock(mutex_);
    actions.push_back(std::move(action));
    return {};
  }
  Mutex mutex_;
  std::map<SubscriptionId, Subscriber> subscribers_;
  SubscriptionId next_ = 0;
};

}  // namespace confpro::web::testing
