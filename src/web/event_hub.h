// Fans the conference service's live events out to the console's event streams (SSE), each filtered by who is
// watching: an administrator gets every event, an organizer only the events of conferences they own.
//
// Thread safety: add()/remove()/heartbeat() from any thread; publish() is called on the control loop (via the
// ControlApi subscription) and only formats and hands text to the sinks, which must queue it and return.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "conference/control_api.h"
#include "web/sessions.h"
#include "common/thread_annotations.h"

namespace confpro::web {

// JSON of one live participant / conference / event, as the API and the stream show them.
nlohmann::json to_json(const conference::LiveParticipant& p);
nlohmann::json to_json(const conference::LiveConference& c);
nlohmann::json to_json(const conference::LiveInvite& i);
nlohmann::json to_json(const conference::ConferenceEvent& e);

// "event: <type>\nid: <seq>\ndata: <json>\n\n"
std::string format_sse(const conference::ConferenceEvent& event);

class EventHub {
 public:
  // Receives SSE text; returns false when the stream is gone (the hub then drops it).
  using Sink = std::function<bool(const std::string&)>;
  using StreamId = std::uint64_t;

  // `control` may be null (no live service): streams then get only heartbeats. Subscribes at once.
  explicit EventHub(conference::ControlApi* control);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  StreamId add(const Principal& watcher, Sink sink);
  void remove(StreamId id);
  // Drops every stream (server shutdown: before the HTTP server's connections go away).
  void clear();
  // Sends a comment line to every stream and drops the dead ones.
  void heartbeat();
  // Delivers one event to the streams allowed to see it.
  void publish(const conference::ConferenceEvent& event);
  std::size_t size() const;

 private:
  struct Stream {
    Principal watcher;
    Sink sink;
  };
  conference::ControlApi* control_;
  conference::ControlApi::SubscriptionId subscription_ = 0;
  mutable Mutex mutex_;
  std::map<StreamId, Stream> streams_ GUARDED_BY(mutex_);
  StreamId next_id_ GUARDED_BY(mutex_) = 1;
};

}  // namespace confpro::web
