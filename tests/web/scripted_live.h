// A scripted stand-in for the conference service, for the web tests until the real one runs inside confpro:
// commands read from a stream (one JSON object per line) open conferences, make callers join, talk and leave;
// the console's actions (mute, eject, lock, end, invite) change that state and emit the same events the real
// service would. Sessions and connections are written to the store, so Past and Reports show them.
//
// Commands: {"op":"open","booking":ID}  {"op":"join","booking":ID,"participant":N,"number":"+33…","role":"user"}
//           {"op":"talk","booking":ID,"participant":N,"on":true}  {"op":"leave","booking":ID,"participant":N}
//           {"op":"recording","booking":ID,"path":"/tmp/x.wav"}  {"op":"close","booking":ID}
//           open and join take "ago_s": it happened that many seconds ago.
// Thread safety: every method may be called from any thread (one mutex); subscribers are called without it.
#pragma once

#include <istream>
#include <map>
#include <mutex>

#include "conference/control_api.h"
#include "store/store.h"

namespace confpro::web::testing {

class ScriptedLive final : public conference::ControlApi {
 public:
  ScriptedLive(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Applies one command line; returns "ok" or an error message.
  std::string apply(const std::string& line);

  std::vector<conference::LiveConference> live_conferences() override;
  std::optional<conference::LiveConference> live_conference(BookingId id) override;
  Status set_muted(BookingId c, ParticipantId p, bool muted, const std::string& actor) override;
  Status eject(BookingId c, ParticipantId p, const std::string& actor) override;
  Status set_locked(BookingId c, bool locked, const std::string& actor) override;
  Status end_conference(BookingId c, const std::string& actor) override;
  Result<conference::InviteResult> invite_by_number(BookingId c, const std::string& number,
                                                    const std::string& actor) override;
  SubscriptionId subscribe(Subscriber s) override;
  void unsubscribe(SubscriptionId id) override;

 private:
  struct Room {
    conference::LiveConference live;
    std::map<std::uint64_t, ConnectionId> connections;
  };
  void emit(conference::ConferenceEvent e);
  conference::ConferenceEvent event(const Room& room, std::string type);
  Status leave_locked(Room& room, ParticipantId p, const std::string& reason,
                      std::vector<conference::ConferenceEvent>& out);
  Status close_locked(BookingId id, const std::string& reason, std::vector<conference::ConferenceEvent>& out);
  void flush(std::vector<conference::ConferenceEvent>& events);

  store::Store& store_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<BookingId, Room> rooms_;                     // GUARDED_BY(mutex_)
  std::map<SubscriptionId, Subscriber> subscribers_;    // GUARDED_BY(mutex_)
  SubscriptionId next_subscription_ = 0;                // GUARDED_BY(mutex_)
  std::uint64_t seq_ = 0;                               // GUARDED_BY(mutex_)
};

}  // namespace confpro::web::testing
