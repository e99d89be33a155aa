#include "web/event_hub.h"

#include <vector>

#include "common/timezone.h"

namespace confpro::web {

nlohmann::json to_json(const conference::LiveParticipant& p) {
  return {{"id", p.id.value()},           {"caller_number", p.caller_number}, {"name", p.name},
          {"role", p.role},               {"joined_at", format_iso_utc(p.joined_at)},
          {"talking", p.talking},         {"muted", p.muted},                 {"listen_only", p.listen_only},
          {"waiting", p.waiting},         {"access_number", p.access_number}, {"codec", p.codec}};
}

nlohmann::json to_json(const conference::LiveInvite& i) {
  return {{"id", i.id},
          {"number", i.number},
          {"state", i.state},
          {"reason", i.reason},
          {"at", format_iso_utc(i.at)}};
}

namespace {
// A time the conference does not have yet (not opened: waiting for the leader) is null, never the epoch.
nlohmann::json time_or_null(TimePoint t) {
  return t == TimePoint{} ? nlohmann::json() : nlohmann::json(format_iso_utc(t));
}
}  // namespace

nlohmann::json to_json(const conference::LiveConference& c) {
  nlohmann::json participants = nlohmann::json::array();
  for (const auto& p : c.participants) participants.push_back(to_json(p));
  nlohmann::json invites = nlohmann::json::array();
  for (const auto& i : c.invites) invites.push_back(to_json(i));
  return {{"booking_id", c.booking.value()},
          {"session_id", c.session.value()},
          {"name", c.name},
          {"number", c.number},
          {"owner", c.owner},
          {"opened_at", time_or_null(c.opened_at)},
          {"ends_at", time_or_null(c.ends_at)},
          {"granted_until", c.granted_until ? time_or_null(*c.granted_until) : nlohmann::json(nullptr)},
          {"max_participants", c.max_participants},
          {"locked", c.locked},
          {"recording", c.recording},
          {"waiting_for_leader", c.waiting_for_leader},
          {"participants", participants},
          {"invites", invites}};
}

nlohmann::json to_json(const conference::ConferenceEvent& e) {
  nlohmann::json j = {{"seq", e.seq},       {"type", e.type},   {"booking_id", e.booking.value()},
                      {"number", e.number}, {"owner", e.owner}, {"at", format_iso_utc(e.at)},
                      {"flag", e.flag},     {"detail", e.detail}};
  if (e.participant) j["participant"] = to_json(*e.participant);
  if (e.invite) j["invite"] = to_json(*e.invite);
  return j;
}

std::string format_sse(const conference::ConferenceEvent& event) {
  std::string out = "event: " + event.type + "\nid: " + std::to_string(event.seq) + "\ndata: ";
  out += to_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += "\n\n";
  return out;
}

EventHub::EventHub(conference::ControlApi* control) : control_(control) {
  if (control_) {
    subscription_ = control_->subscribe([this](const conference::ConferenceEvent& e) { publish(e); });
  }
}

EventHub::~EventHub() {
  if (control_) control_->unsubscribe(subscription_);
}

EventHub::StreamId EventHub::add(const Principal& watcher, Sink sink) {
  MutexLock lock(mutex_);
  auto id = next_id_++;
  streams_[id] = Stream{watcher, std::move(sink)};
  return id;
}

void EventHub::remove(StreamId id) {
  MutexLock lock(mutex_);
  streams_.erase(id);
}

std::size_t EventHub::size() const {
  MutexLock lock(mutex_);
  return streams_.size();
}

void EventHub::clear() {
  std::map<StreamId, Stream> dropped;
  {
    MutexLock lock(mutex_);
    dropped.swap(streams_);
  }
}

void EventHub::heartbeat() {
  MutexLock lock(mutex_);
  std::erase_if(streams_, [](auto& kv) { return !kv.second.sink(": heartbeat\n\n"); });
}

void EventHub::publish(const conference::ConferenceEvent& event) {
  const std::string text = format_sse(event);
  MutexLock lock(mutex_);
  std::erase_if(streams_, [&](auto& kv) {
    const auto& w = kv.second.watcher;
    if (!w.is_admin() && w.username != event.owner) return false;
    return !kv.second.sink(text);
  });
}

}  // namespace confpro::web
