// The room's rules; see room.h. Only decisions here: what happens is in the returned effects.
#include "conference/room.h"

#include "ivr/say.h"

namespace confpro::conference {

const Participant* Room::participant(ParticipantId id) const {
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : &it->second;
}

domain::JoinOutcome Room::admit(domain::Role role, const std::string& pin, const std::string& caller,
                                TimePoint now) const {
  if (ending_ || closed_) return domain::JoinOutcome::kEnded;
  auto decision = domain::can_join(booking_, role, now, static_cast<int>(participants_.size()), locked_);
  if (decision.outcome != domain::JoinOutcome::kOk) return decision.outcome;
  if (!pin.empty() && !domain::caller_allowed(booking_, caller, pin, options_.number_rules))
    return domain::JoinOutcome::kNotAllowed;
  return domain::JoinOutcome::kOk;
}

ConferenceEvent Room::event(const std::string& type, TimePoint now, bool flag, std::string detail) const {
  return ConferenceEvent{0, type, booking_.id, booking_.number, booking_.owner, now, std::nullopt, flag,
                         std::move(detail)};
}

ConferenceEvent Room::participant_event(const std::string& type, const Participant& p, TimePoint now, bool flag,
                                        std::string detail) const {
  auto e = event(type, now, flag, std::move(detail));
  e.participant = snapshot(p);
  return e;
}

effect::SetFlags Room::flags(const Participant& p) {
  return effect::SetFlags{p.id, p.muted || p.waiting, p.listen_only, p.waiting};
}

std::vector<std::string> Room::entry_keys(const Participant& p, const std::string& placed) const {
  std::vector<std::string> keys{placed};
  if (p.listen_only) keys.emplace_back("listen-only");  // issue 12: they were never told why nobody hears them
  if (warn_at_opening_) keys.emplace_back("warning-5-minutes");
  return keys;
}

Effects Room::enter(ParticipantId id, const Entrant& who, TimePoint now,
                    std::optional<domain::JoinOutcome>* refused) {
  Effects out;
  *refused = std::nullopt;
  if (ending_ || closed_) {
    *refused = domain::JoinOutcome::kEnded;
    return out;
  }
  // Someone took the last place (or locked, or the window closed) while the caller was in the IVR.
  auto decision = domain::can_join(booking_, who.role, now, static_cast<int>(participants_.size()), locked_);
  if (decision.outcome != domain::JoinOutcome::kOk) {
    *refused = decision.outcome;
    return out;
  }
  Participant p;
  p.id = id;
  p.call = who.call;
  p.media = who.media;
  p.role = who.role;
  p.language = who.language;
  p.caller_number = who.caller_number.empty() ? "anonymous" : who.caller_number;
  p.display_name = who.display_name;
  if (const auto* invitee = domain::matching_invitee(booking_, who.caller_number, who.pin, options_.number_rules))
    p.invitee = domain::invitee_label(*invitee);
  p.access_number = who.access_number;
  p.codec = who.codec;
  p.name_file = who.name_file;
  p.joined_at = now;
  p.listen_only = who.role == domain::Role::kUser && booking_.options.listen_only;
  p.waiting = decision.waits_for_leader;

  const bool first = participants_.empty();
  if (empty_armed_) {  // someone came back before the empty room ended
    out.emplace_back(effect::Disarm{RoomTimer::kEmpty, {}});
    empty_armed_ = false;
  }
  Participant& joined = participants_.emplace(id, p).first->second;
  out.emplace_back(effect::StopPlaying{id});  // the IVR's prompt
  out.emplace_back(effect::Attach{id});
  out.emplace_back(flags(joined));
  if (decision.opens_session || (booking_.state == domain::BookingState::kActive && !opened_)) {
    open(now, out);  // also records the connections of everyone present
  } else if (opened_) {
    out.emplace_back(effect::RecordConnection{id});
    joined.recorded = true;
  }
  out.emplace_back(effect::Emit{participant_event("joined", joined, now)});

  if (joined.waiting) {
    out.emplace_back(effect::HoldMusic{id});
    return out;
  }
  out.emplace_back(effect::Play{id, entry_keys(joined, first ? "only-person" : "placed-into-conference")});
  if (!joined.name_file.empty()) {  // "<name> has joined" to everyone else: the recording, then the sentence
    for (const auto& [oid, other] : participants_)
      if (oid != id && !other.waiting) out.emplace_back(effect::Play{oid, {joined.name_file, "has-joined"}});
  }
  if (joined.role == domain::Role::kModerator) release_waiting(now, out);
  warn_at_opening_ = false;  // heard by everyone placed in with the opening
  return out;
}

// A moderator arrived: the users waiting for the leader are placed in.
void Room::release_waiting(TimePoint now, Effects& out) {
  for (auto& [id, p] : participants_) {
    if (!p.waiting) continue;
    p.waiting = false;
    out.emplace_back(effect::StopPlaying{id});
    out.emplace_back(flags(p));
    out.emplace_back(effect::Play{id, entry_keys(p, "placed-into-conference")});
    out.emplace_back(effect::Emit{participant_event("muted", p, now, p.muted)});
  }
}

void Room::open(TimePoint now, Effects& out) {
  if (booking_.state == domain::BookingState::kScheduled && domain::open(booking_, now))
    out.emplace_back(effect::StoreOpening{now});
  opened_ = true;
  out.emplace_back(effect::OpenSession{});
  out.emplace_back(effect::Emit{event("opened", now)});
  for (auto& [id, p] : participants_) {
    if (p.recorded) continue;
    out.emplace_back(effect::RecordConnection{id});
    p.recorded = true;
  }
  if (booking_.options.record && !recording_) toggle_recording(now, out);
  schedule_end(now, out);
}

std::optional<TimePoint> Room::ends_at() const {
  auto end = domain::ends_at(booking_);
  if (end && granted_until_ && *granted_until_ < *end) return granted_until_;
  return end;
}

void Room::schedule_end(TimePoint now, Effects& out) {
  out.emplace_back(effect::Disarm{RoomTimer::kWarning, {}});
  out.emplace_back(effect::Disarm{RoomTimer::kEnd, {}});
  const auto booking_end = domain::ends_at(booking_);
  credit_bound_ = booking_end && granted_until_ && *granted_until_ < *booking_end;
  if (credit_bound_) {
    const TimePoint end = *granted_until_;
    // Warned once per granted end; again only when a top-up moved it by more than the warning time.
    const bool warned = credit_warned_ && end - *credit_warned_ <= std::chrono::seconds{options_.limits.credit_warning_seconds};
    if (!warned && end > now) out.emplace_back(effect::Arm{RoomTimer::kWarning, {}, std::max(now, end - std::chrono::seconds{options_.limits.credit_warning_seconds}), {}});
    out.emplace_back(effect::Arm{RoomTimer::kEnd, {}, std::max(now, end), {}});
    return;
  }
  auto warn = domain::warning_at(booking_, options_.limits);
  if (warn && booking_.opened_at && *warn <= *booking_.opened_at && *warn <= now) {
    // A booking no longer than the warning time (the 5-minute booking): its warning is due at the opening, so
    // everyone placed in with the opening hears it right after the entry prompt (issue 12).
    warn_at_opening_ = true;
    out.emplace_back(effect::Emit{event("warning", now, false, "at-opening")});
  } else if (warn && *warn > now) {
    out.emplace_back(effect::Arm{RoomTimer::kWarning, {}, *warn, {}});
  }
  if (auto end = domain::ends_at(booking_)) out.emplace_back(effect::Arm{RoomTimer::kEnd, {}, *end, {}});
}

Effects Room::leave(ParticipantId id, const std::string& reason, TimePoint now) {
  Effects out;
  auto it = participants_.find(id);
  if (it == participants_.end()) return out;
  const Participant p = it->second;
  participants_.erase(it);
  if (p.star) out.emplace_back(effect::Disarm{RoomTimer::kStarKey, id});
  if (p.recorded) out.emplace_back(effect::EndConnection{id, reason});
  out.emplace_back(effect::Detach{id});
  out.emplace_back(effect::Emit{participant_event("left", p, now, false, reason)});
  if (!p.name_file.empty() && !ending_) {
    for (const auto& [oid, other] : participants_)
      if (!other.waiting) out.emplace_back(effect::Play{oid, {p.name_file, "has-left"}});
  }
  if (!participants_.empty() || ending_) return out;
  if (!opened_) {  // never opened (users waiting for a leader who all left): the room disappears
    closed_ = true;
    out.emplace_back(effect::Close{});
    return out;
  }
  // Nobody left (issue 12): the media engine pauses the recording of an empty room; the room ends after the grace
  // time unless someone comes back.
  if (options_.limits.empty_end_minutes > 0 && !empty_armed_) {
    empty_armed_ = true;
    out.emplace_back(effect::Arm{RoomTimer::kEmpty, {}, now + std::chrono::minutes{options_.limits.empty_end_minutes}, {}});
  }
  return out;
}

void Room::mute(Participant& p, bool muted, bool tell, TimePoint now, Effects& out) {
  if (p.muted == muted) return;
  p.muted = muted;
  out.emplace_back(flags(p));
  if (tell) out.emplace_back(effect::Play{p.id, {muted ? "muted" : "unmuted"}});
  out.emplace_back(effect::Emit{participant_event("muted", p, now, muted)});
}

void Room::toggle_recording(TimePoint now, Effects& out) {
  recording_ = !recording_;
  if (recording_) out.emplace_back(effect::StartRecording{});
  else out.emplace_back(effect::StopRecording{});
  out.emplace_back(effect::Emit{event("recording", now, recording_)});
}

Effects Room::key(ParticipantId id, char digit, TimePoint now) {
  Effects out;
  auto it = participants_.find(id);
  if (it == participants_.end() || ending_) return out;
  Participant& p = it->second;
  if (digit == '*') {
    p.star = true;
    out.emplace_back(effect::Arm{RoomTimer::kStarKey, id, std::nullopt, options_.key_timeout});
    return out;
  }
  if (!p.star) return out;  // a digit alone is nothing (DTMF in conversation)
  p.star = false;
  out.emplace_back(effect::Disarm{RoomTimer::kStarKey, id});
  auto say = [&](std::vector<std::string> keys) { out.emplace_back(effect::Play{id, std::move(keys)}); };
  const bool moderator = p.role == domain::Role::kModerator;
  switch (digit) {
    case '1':  // mute / unmute self
      if (p.listen_only) say({"listen-only"});
      else mute(p, !p.muted, true, now, out);
      return out;
    case '2': {  // how many are here
      const int others = static_cast<int>(participants_.size()) - 1;
      if (others <= 0) {
        say({"only-person"});
      } else if (others == 1) {
        say({"one-other-participant"});
      } else {
        std::vector<std::string> keys{"there-are"};
        if (auto n = ivr::number_keys(others, p.language)) keys.insert(keys.end(), n->begin(), n->end());
        keys.emplace_back("other-participants");
        say(std::move(keys));
      }
      return out;
    }
    case '0':
      say({moderator ? "help-moderator" : "help-user"});
      return out;
    default:
      break;
  }
  if (!moderator) {
    say({"invalid-choice"});
    return out;
  }
  switch (digit) {
    case '3': {
      auto locked = set_locked(!locked_, now);
      out.insert(out.end(), locked.begin(), locked.end());
      say({locked_ ? "locked-now" : "unlocked-now"});
      return out;
    }
    case '4': {  // mute every user, or unmute them all when all are muted
      bool any_unmuted = false;
      for (const auto& [oid, o] : participants_)
        if (o.role == domain::Role::kUser && !o.muted && !o.listen_only) any_unmuted = true;
      for (auto& [oid, o] : participants_)
        if (o.role == domain::Role::kUser && !o.listen_only) mute(o, any_unmuted, false, now, out);
      say({any_unmuted ? "all-muted" : "all-unmuted"});
      return out;
    }
    case '5':
      toggle_recording(now, out);
      say({recording_ ? "recording-started" : "recording-stopped"});
      return out;
    case '9':
      return end(domain::EndReason::kEndedByModerator, p.caller_number, now);
    default:
      say({"invalid-choice"});
      return out;
  }
}

Effects Room::talking(ParticipantId id, bool talking, TimePoint now) {
  Effects out;
  auto it = participants_.find(id);
  if (it == participants_.end() || it->second.talking == talking) return out;
  it->second.talking = talking;
  out.emplace_back(effect::Emit{participant_event("talking", it->second, now, talking)});
  return out;
}

Effects Room::timer(RoomTimer timer, ParticipantId who, TimePoint now) {
  Effects out;
  switch (timer) {
    case RoomTimer::kWarning:
      if (ending_ || closed_) return out;
      if (credit_bound_) {
        credit_warned_ = granted_until_;
        out.emplace_back(effect::PlayRoom{{"credit-low"}, 0});
        out.emplace_back(effect::Emit{event("warning", now, false, "credit")});
        return out;
      }
      out.emplace_back(effect::PlayRoom{{"warning-5-minutes"}, 0});
      out.emplace_back(effect::Emit{event("warning", now)});
      return out;
    case RoomTimer::kEnd:
      return end(credit_bound_ ? domain::EndReason::kCreditExhausted : domain::EndReason::kDurationElapsed,
                 "system", now);
    case RoomTimer::kEmpty:
      empty_armed_ = false;
      if (participants_.empty()) return end(domain::EndReason::kEmpty, "system", now);
      return out;
    case RoomTimer::kClosing:
      finish(now, out);
      return out;
    case RoomTimer::kStarKey:
      if (auto it = participants_.find(who); it != participants_.end()) it->second.star = false;
      return out;
  }
  return out;
}

Effects Room::closing_prompt_done(std::uint64_t tag, TimePoint now) {
  Effects out;
  if (ending_ && tag != 0 && tag == closing_tag_) finish(now, out);
  return out;
}

Effects Room::booking_stored(const domain::Booking& stored, TimePoint now) {
  Effects out;
  if (stored.id != booking_.id || closed_) return out;
  // The end decided in memory stands until the store has it too.
  if (ending_ && stored.state != domain::BookingState::kEnded) return out;
  const auto ends_before = domain::ends_at(booking_);
  booking_ = stored;
  if (opened_ && !ending_ && domain::ends_at(booking_) != ends_before) schedule_end(now, out);
  return out;
}

Effects Room::set_granted_until(std::optional<TimePoint> until, TimePoint now) {
  Effects out;
  if (ending_ || closed_ || until == granted_until_) return out;
  granted_until_ = until;
  if (opened_) schedule_end(now, out);
  return out;
}

Effects Room::recording_failed(TimePoint now) {
  Effects out;
  if (!recording_) return out;
  recording_ = false;
  out.emplace_back(effect::Emit{event("recording", now, false)});
  return out;
}

Result<Effects> Room::set_muted(ParticipantId id, bool muted, TimePoint now) {
  auto it = participants_.find(id);
  if (it == participants_.end()) return Error::not_found("no such participant");
  if (!muted && it->second.listen_only) return Error::precondition("a listen-only participant cannot be unmuted");
  Effects out;
  mute(it->second, muted, true, now, out);
  return out;
}

Result<Effects> Room::eject(ParticipantId id, TimePoint now) {
  if (!participants_.contains(id)) return Error::not_found("no such participant");
  return leave(id, "ejected", now);
}

Effects Room::set_locked(bool locked, TimePoint now) {
  locked_ = locked;
  return {effect::Emit{event("locked", now, locked)}};
}

Effects Room::end(domain::EndReason reason, const std::string& actor, TimePoint now) {
  Effects out;
  if (ending_ || closed_) return out;
  ending_ = true;
  out.emplace_back(effect::Disarm{RoomTimer::kWarning, {}});
  out.emplace_back(effect::Disarm{RoomTimer::kEnd, {}});
  if (empty_armed_) out.emplace_back(effect::Disarm{RoomTimer::kEmpty, {}});
  empty_armed_ = false;
  // The booking ends now (durably, off the loop); the room closes once everyone heard the closing prompt.
  if (booking_.state != domain::BookingState::kEnded) {
    (void)domain::end(booking_, reason, now);
    out.emplace_back(effect::StoreEnd{reason, actor});
  }
  out.emplace_back(effect::Emit{event("ended", now, false, domain::to_string(reason))});
  out.emplace_back(effect::DropInvites{});  // invitees still ringing or in their intro: nothing to join any more
  if (participants_.empty()) {
    finish(now, out);
    return out;
  }
  closing_tag_ = next_tag_++;
  for (const auto& [id, p] : participants_) out.emplace_back(effect::StopPlaying{id});
  out.emplace_back(effect::PlayRoom{{"conference-has-ended", "goodbye"}, closing_tag_});
  out.emplace_back(effect::Arm{RoomTimer::kClosing, {}, std::nullopt, options_.end_prompt_grace});
  return out;
}

Effects Room::shut_down(TimePoint now) {
  Effects out;
  finish(now, out);
  return out;
}

// Everyone still in is cut off; their connections and the session end with the conference.
void Room::finish(TimePoint now, Effects& out) {
  if (closed_) return;
  out.emplace_back(effect::Disarm{RoomTimer::kClosing, {}});
  for (const auto& [id, p] : participants_) {
    if (p.star) out.emplace_back(effect::Disarm{RoomTimer::kStarKey, id});
    if (p.recorded) out.emplace_back(effect::EndConnection{id, "conference-ended"});
    out.emplace_back(effect::Detach{id});
    out.emplace_back(effect::Emit{participant_event("left", p, now, false, "conference-ended")});
    out.emplace_back(effect::Hangup{p.call, "conference-ended"});
  }
  participants_.clear();
  if (recording_) out.emplace_back(effect::StopRecording{});
  recording_ = false;
  if (opened_) {
    const auto reason = booking_.end_reason == domain::EndReason::kNone ? std::string("interrupted")
                                                                          : std::string(domain::to_string(booking_.end_reason));
    out.emplace_back(effect::CloseSession{reason});
  }
  closed_ = true;
  out.emplace_back(effect::Close{});
}

LiveParticipant Room::snapshot(const Participant& p) {
  LiveParticipant l;
  l.id = p.id;
  l.caller_number = p.caller_number;
  l.name = p.display_name;
  l.role = domain::to_string(p.role);
  l.joined_at = p.joined_at;
  l.talking = p.talking;
  l.muted = p.muted;
  l.listen_only = p.listen_only;
  l.waiting = p.waiting;
  l.access_number = p.access_number;
  l.codec = p.codec;
  return l;
}

LiveConference Room::snapshot(SessionId session) const {
  LiveConference c;
  c.booking = booking_.id;
  c.session = session;
  c.name = booking_.name;
  c.number = booking_.number;
  c.owner = booking_.owner;
  c.opened_at = booking_.opened_at.value_or(TimePoint{});
  c.ends_at = ends_at().value_or(TimePoint{});
  c.granted_until = granted_until_;
  c.max_participants = booking_.max_participants;
  c.locked = locked_;
  c.recording = recording_;
  for (const auto& [id, p] : participants_) {
    if (p.waiting) c.waiting_for_leader = true;
    c.participants.push_back(snapshot(p));
  }
  return c;
}

}  // namespace confpro::conference
