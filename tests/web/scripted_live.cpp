#include "scripted_live.h"

#include <nlohmann/json.hpp>

namespace confpro::web::testing {

conference::ConferenceEvent ScriptedLive::event(const Room& room, std::string type) {
  conference::ConferenceEvent e;
  e.seq = ++seq_;
  e.type = std::move(type);
  e.booking = room.live.booking;
  e.number = room.live.number;
  e.owner = room.live.owner;
  e.at = clock_.now();
  return e;
}

void ScriptedLive::flush(std::vector<conference::ConferenceEvent>& events) {
  std::map<SubscriptionId, Subscriber> subs;
  {
    std::lock_guard lock(mutex_);
    subs = subscribers_;
  }
  for (auto& e : events) {
    for (auto& [id, s] : subs) s(e);
  }
}

std::string ScriptedLive::apply(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("op") || !j.contains("booking")) return "bad command";
  std::vector<conference::ConferenceEvent> out;
  std::string result = "ok";
  {
    std::lock_guard lock(mutex_);
    const std::string op = j["op"];
    BookingId id{j["booking"].get<std::int64_t>()};
    // "ago_s": the thing happened that many seconds ago (gives Past and Reports whole minutes in tests).
    const TimePoint at = clock_.now() - std::chrono::seconds(j.value("ago_s", 0));
    if (op == "open") {
      auto b = store_.get_booking(id);
      if (!b) return b.error().message;
      store::ConferenceSession s;
      s.booking = id;
      s.number = b->number;
      s.opened_at = at;
      s.node = "web-harness";
      auto opened = store_.open_session(s);
      if (!opened) return opened.error().message;
      auto updated = *b;
      updated.state = domain::BookingState::kActive;
      updated.opened_at = at;
      if (auto u = store_.update_booking(updated, b->version, {}); !u) return u.error().message;
      Room room;
      room.live.booking = id;
      room.live.session = opened->id;
      room.live.name = b->name;
      room.live.number = b->number;
      room.live.owner = b->owner;
      room.live.opened_at = at;
      room.live.ends_at = at + std::chrono::minutes(b->duration_minutes);
      room.live.max_participants = b->max_participants;
      room.live.recording = b->options.record;
      rooms_[id] = room;
      out.push_back(event(rooms_[id], "opened"));
    } else {
      auto it = rooms_.find(id);
      if (it == rooms_.end()) return "no such conference";
      Room& room = it->second;
      ParticipantId pid{j.value("participant", std::uint64_t{0})};
      if (op == "join") {
        conference::LiveParticipant p;
        p.id = pid;
        p.caller_number = j.value("number", std::string("anonymous"));
        p.name = j.value("name", std::string());
        p.role = j.value("role", std::string("user"));
        p.joined_at = at;
        p.access_number = j.value("access_number", std::string());
        p.codec = "PCMU";
        store::ParticipantConnection c;
        c.session = room.live.session;
        c.booking = id;
        c.caller_number = p.caller_number;
        c.caller_name = p.name;
        c.role = p.role;
        c.access_number = p.access_number;
        c.codec = p.codec;
        c.joined_at = p.joined_at;
        auto started = store_.start_connection(c);
        if (!started) return started.error().message;
        room.connections[pid.value()] = started->id;
        room.live.participants.push_back(p);
        auto e = event(room, "joined");
        e.participant = p;
        out.push_back(e);
      } else if (op == "talk") {
        for (auto& p : room.live.participants) {
          if (p.id != pid) continue;
          p.talking = j.value("on", true);
          auto e = event(room, "talking");
          e.participant = p;
          e.flag = p.talking;
          out.push_back(e);
        }
      } else if (op == "leave") {
        auto reason = j.value("reason", std::string("hangup"));  // any code, as the real service would store it
        if (auto st = leave_locked(room, pid, reason, out); !st) result = st.error().message;
      } else if (op == "recording") {
        auto st = store_.set_recording_path(room.live.session, j.value("path", std::string()));
        if (!st) result = st.error().message;
      } else if (op == "close") {
        if (auto st = close_locked(id, "duration-elapsed", out); !st) result = st.error().message;
      } else {
        result = "unknown op";
      }
    }
  }
  flush(out);
  return result;
}

Status ScriptedLive::leave_locked(Room& room, ParticipantId pid, const std::string& reason,
                                  std::vector<conference::ConferenceEvent>& out) {
  auto& ps = room.live.participants;
  auto it = std::find_if(ps.begin(), ps.end(), [&](auto& p) { return p.id == pid; });
  if (it == ps.end()) return Error::not_found("no such participant");
  auto e = event(room, "left");
  e.participant = *it;
  e.detail = reason;
  out.push_back(e);
  if (auto c = room.connections.find(pid.value()); c != room.connections.end()) {
    (void)store_.end_connection(c->second, clock_.now(), reason, 0.002, 3.5, 18);
    room.connections.erase(c);
  }
  ps.erase(it);
  return {};
}

Status ScriptedLive::close_locked(BookingId id, const std::string& reason,
                                  std::vector<conference::ConferenceEvent>& out) {
  auto it = rooms_.find(id);
  if (it == rooms_.end()) return Error::not_found("no live conference for this booking");
  Room& room = it->second;
  while (!room.live.participants.empty()) (void)leave_locked(room, room.live.participants.front().id, "conference-ended", out);
  (void)store_.close_session(room.live.session, clock_.now(), reason);
  if (auto b = store_.get_booking(id)) {
    auto ended = *b;
    ended.state = domain::BookingState::kEnded;
    ended.end_reason = reason == "ended-by-admin" ? domain::EndReason::kEndedByAdmin : domain::EndReason::kDurationElapsed;
    ended.ended_at = clock_.now();
    (void)store_.update_booking(ended, b->version, {});
  }
  auto e = event(room, "ended");
  e.detail = reason;
  out.push_back(e);
  rooms_.erase(it);
  return {};
}

std::vector<conference::LiveConference> ScriptedLive::live_conferences() {
  std::lock_guard lock(mutex_);
  std::vector<conference::LiveConference> v;
  for (auto& [id, r] : rooms_) v.push_back(r.live);
  return v;
}

std::optional<conference::LiveConference> ScriptedLive::live_conference(BookingId id) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(id);
  if (it == rooms_.end()) return std::nullopt;
  return it->second.live;
}

Status ScriptedLive::set_muted(BookingId c, ParticipantId p, bool muted, const std::string&) {
  std::vector<conference::ConferenceEvent> out;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(c);
    if (it == rooms_.end()) return Error::not_found("no live conference");
    for (auto& x : it->second.live.participants) {
      if (x.id != p) continue;
      x.muted = muted;
      auto e = event(it->second, "muted");
      e.participant = x;
      e.flag = muted;
      out.push_back(e);
    }
  }
  if (out.empty()) return Error::not_found("no such participant");
  flush(out);
  return {};
}

Status ScriptedLive::eject(BookingId c, ParticipantId p, const std::string&) {
  std::vector<conference::ConferenceEvent> out;
  Status st;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(c);
    if (it == rooms_.end()) return Error::not_found("no live conference");
    st = leave_locked(it->second, p, "ejected", out);
  }
  flush(out);
  return st;
}

Status ScriptedLive::set_locked(BookingId c, bool locked, const std::string&) {
  std::vector<conference::ConferenceEvent> out;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(c);
    if (it == rooms_.end()) return Error::not_found("no live conference");
    it->second.live.locked = locked;
    auto e = event(it->second, "locked");
    e.flag = locked;
    out.push_back(e);
  }
  flush(out);
  return {};
}

Status ScriptedLive::end_conference(BookingId c, const std::string&) {
  std::vector<conference::ConferenceEvent> out;
  Status st;
  {
    std::lock_guard lock(mutex_);
    st = close_locked(c, "ended-by-admin", out);
  }
  flush(out);
  return st;
}

Result<conference::InviteResult> ScriptedLive::invite_by_number(BookingId c, const std::string& number,
                                                                const std::string&) {
  std::vector<conference::ConferenceEvent> out;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(c);
    if (it == rooms_.end()) return Error::not_found("no live conference");
    // Like the conference service: a locked conference is refused before dialling; else the invite is dialling.
    if (it->second.live.locked)
      return conference::InviteResult{"", "refused", "conference_locked",
                                      "The conference is locked: unlock it to invite someone."};
    conference::LiveInvite invite{"invite-" + number, number, "dialing", "", clock_.now()};
    it->second.live.invites.push_back(invite);
    auto e = event(it->second, "invite");
    e.detail = "dialing";
    e.invite = invite;
    out.push_back(e);
  }
  flush(out);
  return conference::InviteResult{"invite-" + number, "dialing", "", ""};
}

ScriptedLive::SubscriptionId ScriptedLive::subscribe(Subscriber s) {
  std::lock_guard lock(mutex_);
  subscribers_[++next_subscription_] = std::move(s);
  return next_subscription_;
}

void ScriptedLive::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

}  // namespace confpro::web::testing
