// ConferenceService: live rooms — admission, opening, participants, warning and end (control loop).
#include <filesystem>

#include "common/timezone.h"
#include "conference/service_impl.h"
#include "ivr/say.h"

namespace confpro::conference {

namespace {
std::string role_name(domain::Role r) { return domain::to_string(r); }
}  // namespace

Room* ConferenceService::Impl::find_room(BookingId id) {
  auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : it->second.get();
}

std::chrono::milliseconds ConferenceService::Impl::real_delay_until(TimePoint t) const {
  auto d = t - clock_.now();
  if (d.count() < 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) / options_.time_scale));
}

void ConferenceService::Impl::audit(const std::string& actor, const std::string& action, const std::string& target,
                                    const std::string& details) {
  store::AuditEntry e;
  e.at = clock_.now();
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.details = details;
  e.source = actor == "system" ? "system" : "web";
  writer_->append_audit(std::move(e));  // off the control loop, in order with the history
}

std::optional<std::vector<std::string>> ConferenceService::Impl::numbers_that_entered(BookingId booking) {
  store::SessionQuery q;
  q.booking = booking;
  q.limit = 1000;  // the store's page size at most
  std::vector<std::string> numbers;
  std::size_t session_count = 0;
  for (;;) {
    auto sessions = store_.list_sessions(q);
    if (!sessions) {
      log_->warn("booking={} cannot read its sessions: {}", booking.value(), sessions.error().message);
      return std::nullopt;
    }
    for (const auto& s : sessions->items) {
      auto connections = store_.list_connections(s.session.id);
      if (!connections) {
        log_->warn("booking={} cannot read its connections: {}", booking.value(), connections.error().message);
        return std::nullopt;
      }
      for (const auto& c : *connections) numbers.push_back(c.caller_number);
    }
    session_count += sessions->items.size();
    q.offset += q.limit;
    if (sessions->items.empty() || q.offset >= sessions->total) break;
  }
  log_->info("booking={} {} stored connections in {} sessions are known numbers", booking.value(), numbers.size(),
             session_count);
  return numbers;
}

domain::JoinOutcome ConferenceService::Impl::admit(const domain::Booking& stale, domain::Role role,
                                                   const std::string& pin, const std::string& caller) {
  Room* room = find_room(stale.id);
  domain::Booking booking = room ? room->booking : stale;
  if (!room) {
    auto fresh = bookings_.get(stale.id);
    if (!fresh) return domain::JoinOutcome::kEnded;  // deleted meanwhile
    booking = *fresh;
  }
  if (room && room->ending) return domain::JoinOutcome::kEnded;
  const int present = room ? static_cast<int>(room->participants.size()) : 0;
  auto decision = domain::can_join(booking, role, clock_.now(), present, room && room->locked);
  if (decision.outcome != domain::JoinOutcome::kOk) return decision.outcome;
  if (!pin.empty() && !domain::caller_allowed(booking, caller, pin)) return domain::JoinOutcome::kNotAllowed;
  return domain::JoinOutcome::kOk;
}

void ConferenceService::Impl::enter(Call& call, const domain::Booking& requested, domain::Role role,
                                    const std::string& name_file) {
  const auto started = std::chrono::steady_clock::now();  // time this join takes on the control loop
  const auto now = clock_.now();
  Room* room = find_room(requested.id);
  // Someone took the last place (or locked, or it ended) during the IVR: the caller hears why, then goodbye.
  auto refuse = [this, &call](const std::string& prompt) {
    call.state = Call::State::kIvr;
    call.flow.reset();
    call.playing_tag = next_tag_++;
    play_keys(call, {prompt, "goodbye"}, call.playing_tag);
    CallId id = call.id;
    loop_.add_timer_after(std::chrono::seconds(6), [this, id] {
      if (Call* c = find_call(id)) hangup(*c, "refused");
    });
  };
  if (!room) {
    auto fresh = bookings_.get(requested.id);
    if (!fresh) return hangup(call, "conference-gone");
    // An ended conference never comes back: no room is made again for a leg that arrives late.
    if (domain::effective_state(*fresh, now) == domain::BookingState::kEnded)
      return refuse("conference-ended");
    auto media_room = media_.create_room("conf=" + fresh->number);
    if (!media_room) {
      log_->error("conf={} cannot create media room: {}", fresh->number, media_room.error().message);
      return hangup(call, "media-error");
    }
    auto r = std::make_unique<Room>();
    r->booking = *fresh;
    r->media_room = *media_room;
    room_by_media_[*media_room] = fresh->id;
    room = r.get();
    rooms_[fresh->id] = std::move(r);
  }
  auto decision = domain::can_join(room->booking, role, now, static_cast<int>(room->participants.size()), room->locked);
  if (decision.outcome != domain::JoinOutcome::kOk || room->ending) {
    return refuse(room->ending ? "conference-ended" : ivr::refusal_for(decision.outcome).prompt);
  }

  Participant p;
  p.id = ParticipantId{next_participant_++};
  p.call = call.id;
  p.media = call.media;
  p.role = role;
  p.caller_number = call.incoming.caller_number.empty() ? "anonymous" : call.incoming.caller_number;
  p.display_name = call.incoming.display_name;
  p.access_number = call.access_number;
  p.codec = media::to_string(call.incoming.codec.kind);
  p.name_file = name_file;
  p.joined_at = now;
  p.listen_only = role == domain::Role::kUser && room->booking.options.listen_only;
  p.waiting = decision.waits_for_leader;

  call.state = Call::State::kInConference;
  call.flow.reset();
  cancel_call_timer(call);
  call.booking = room->booking.id;
  call.participant = p.id;
  (void)media_.stop_playing_session(call.media);

  const bool first = room->participants.empty();
  if (room->empty_timer) {
    loop_.cancel_timer(room->empty_timer);
    room->empty_timer = 0;
    log_->info("conf={} not empty any more{}", room->booking.number,
               room->recording ? ": recording resumes" : "");
  }
  auto [it, inserted] = room->participants.emplace(p.id, p);
  Participant& joined = it->second;
  if (auto st = media_.attach(call.media, room->media_room, {}); !st)
    log_->warn("conf={} call={} attach failed: {}", room->booking.number, call.id.value(), st.error().message);
  apply_flags(joined);

  if (decision.opens_session || (room->booking.state == domain::BookingState::kActive && !room->session)) {
    open_session(*room);  // also records the connections of everyone present
  } else if (room->session) {
    record_connection(*room, joined);
  }
  log_->info("conf={} call={} joined as {}{} (control loop {:.3f} ms)", room->booking.number, call.id.value(),
             role_name(role), joined.waiting ? " (waiting for the leader)" : "",
             std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  emit_participant("joined", *room, joined);

  if (joined.waiting) {
    call.playing_tag = 0;
    auto moh = prompts_.music_on_hold_files();
    std::vector<std::string> files = files_for({"wait-for-leader"}, call.language);
    if (moh) files.insert(files.end(), moh->begin(), moh->end());
    media::PlaySpec spec{files, true, 0};
    (void)media_.play_to_session(call.media, spec);
    return;
  }
  play_to_participant(*room, joined,
                      entry_keys(*room, joined, first ? "only-person" : "placed-into-conference"));
  if (!name_file.empty()) {
    // "<name> has joined" to everyone else: the recording, then the sentence.
    for (auto& [id, other] : room->participants) {
      if (id == joined.id || other.waiting) continue;
      Call* oc = find_call(other.call);
      if (!oc) continue;
      std::vector<std::string> files{name_file};
      auto rest = files_for({"has-joined"}, oc->language);
      files.insert(files.end(), rest.begin(), rest.end());
      (void)media_.play_to_session(other.media, media::PlaySpec{files, false, 0});
    }
  }
  // A moderator arriving releases the users waiting for the leader.
  if (role == domain::Role::kModerator) {
    for (auto& [id, other] : room->participants) {
      if (!other.waiting) continue;
      other.waiting = false;
      (void)media_.stop_playing_session(other.media);
      apply_flags(other);
      play_to_participant(*room, other, entry_keys(*room, other, "placed-into-conference"));
      emit_participant("muted", *room, other, other.muted);
    }
  }
  room->warn_at_opening = false;  // heard by everyone placed in with the opening
}

std::vector<std::string> ConferenceService::Impl::entry_keys(const Room& room, const Participant& p,
                                                             const std::string& placed) const {
  std::vector<std::string> keys{placed};
  if (p.listen_only)
    keys.emplace_back("listen-only");  // issue 12: they were never told why nobody hears them
  if (room.warn_at_opening) keys.emplace_back("warning-5-minutes");
  return keys;
}

void ConferenceService::Impl::open_session(Room& room) {
  const auto now = clock_.now();
  if (room.booking.state == domain::BookingState::kScheduled) {
    domain::Booking opened = room.booking;
    if (auto st = domain::open(opened, now); !st) {
      log_->warn("conf={} cannot open: {}", room.booking.number, st.error().message);
    } else {
      auto stored = store_.update_booking(opened, room.booking.version, {});
      if (stored) room.booking = *stored;
      else log_->error("conf={} opening not stored: {}", room.booking.number, stored.error().message);
    }
  }
  store::ConferenceSession session;
  session.booking = room.booking.id;
  session.number = room.booking.number;
  session.opened_at = now;
  session.node = options_.node_id;
  room.session = writer_->open_session(std::move(session));
  log_->info("conf={} opened (ends {})", room.booking.number,
             format_iso_utc(domain::ends_at(room.booking).value_or(now)));
  emit({0, "opened", room.booking.id, room.booking.number, room.booking.owner, now, std::nullopt, false, ""});
  for (auto& [id, p] : room.participants)
    if (!p.connection) record_connection(room, p);
  if (room.booking.options.record && !room.recording) toggle_recording(room);
  schedule_end(room);
}

void ConferenceService::Impl::record_connection(Room& room, Participant& p) {
  store::ParticipantConnection c;
  c.booking = room.booking.id;
  c.caller_number = p.caller_number;
  c.caller_name = p.display_name;
  c.role = role_name(p.role);
  c.access_number = p.access_number;
  c.call_ref = std::to_string(p.call.value());
  c.joined_at = p.joined_at;
  c.codec = p.codec;
  if (Call* call = find_call(p.call)) c.remote_address = call->incoming.remote_address;
  p.connection = writer_->start_connection(room.session, std::move(c));
}

void ConferenceService::Impl::schedule_end(Room& room) {
  BookingId id = room.booking.id;
  if (room.warning_timer) loop_.cancel_timer(room.warning_timer);
  if (room.end_timer) loop_.cancel_timer(room.end_timer);
  room.warning_timer = room.end_timer = 0;
  auto warn = domain::warning_at(room.booking, options_.limits);
  if (warn && room.booking.opened_at && *warn <= *room.booking.opened_at && *warn <= clock_.now()) {
    // A booking no longer than the warning time (the 5-minute booking): its warning is due at the opening, so
    // everyone placed in with the opening hears it right after the entry prompt (issue 12: it was never
    // given).
    room.warn_at_opening = true;
    log_->info("conf={} five-minute warning (at opening)", room.booking.number);
    emit({0, "warning", id, room.booking.number, room.booking.owner, clock_.now(), std::nullopt, false, ""});
  } else if (warn && *warn > clock_.now()) {
    room.warning_timer = loop_.add_timer_after(real_delay_until(*warn), [this, id] {
      Room* r = find_room(id);
      if (!r || r->ending) return;
      r->warning_timer = 0;
      log_->info("conf={} five-minute warning", r->booking.number);
      auto files = files_for({"warning-5-minutes"}, r->booking.language);
      (void)media_.play_to_room(r->media_room, media::PlaySpec{files, false, 0});
      emit({0, "warning", id, r->booking.number, r->booking.owner, clock_.now(), std::nullopt, false, ""});
    });
  }
  if (auto end = domain::ends_at(room.booking)) {
    room.end_timer = loop_.add_timer_after(real_delay_until(*end), [this, id] {
      if (Room* r = find_room(id)) r->end_timer = 0;
      end_room(id, domain::EndReason::kDurationElapsed, "system");
    });
  }
}

void ConferenceService::Impl::end_room(BookingId id, domain::EndReason reason, const std::string& actor) {
  Room* room = find_room(id);
  if (!room || room->ending) return;
  room->ending = true;
  const auto now = clock_.now();
  log_->info("conf={} ending: {} (by {})", room->booking.number, domain::to_string(reason), actor);
  if (room->warning_timer) loop_.cancel_timer(room->warning_timer);
  if (room->end_timer) loop_.cancel_timer(room->end_timer);
  if (room->empty_timer) loop_.cancel_timer(room->empty_timer);
  room->warning_timer = room->end_timer = room->empty_timer = 0;
  // The booking ends now (durably), the room closes once everyone heard the closing prompt.
  if (room->booking.state != domain::BookingState::kEnded) {
    booking::Actor a{actor, true, actor == "system" ? "system" : "web"};
    auto ended = bookings_.end(id, reason, a);
    if (ended) room->booking = *ended;
    else log_->error("conf={} end not stored: {}", room->booking.number, ended.error().message);
  }
  emit({0, "ended", id, room->booking.number, room->booking.owner, now, std::nullopt, false,
        domain::to_string(reason)});
  drop_invites(id);  // invitees still ringing or in their intro are hung up: nothing to join any more
  if (room->participants.empty()) return finish_room(id);
  room->closing_tag = next_tag_++;
  auto files = files_for({"conference-has-ended", "goodbye"}, room->booking.language);
  for (auto& [pid, p] : room->participants) (void)media_.stop_playing_session(p.media);
  (void)media_.play_to_room(room->media_room, media::PlaySpec{files, false, room->closing_tag});
  room->hangup_timer = loop_.add_timer_after(options_.end_prompt_grace, [this, id] { finish_room(id); });
}

void ConferenceService::Impl::finish_room(BookingId id) {
  Room* room = find_room(id);
  if (!room) return;
  if (room->hangup_timer) loop_.cancel_timer(room->hangup_timer);
  room->hangup_timer = 0;
  const auto now = clock_.now();
  // Everyone still in is cut off; their connections end with the conference.
  std::vector<CallId> to_hang_up;
  for (auto& [pid, p] : room->participants) to_hang_up.push_back(p.call);
  for (CallId cid : to_hang_up) {
    Call* c = find_call(cid);
    if (!c) continue;
    leave(*c, "conference-ended");
    hangup(*c, "conference-ended");
  }
  if (room->recording) (void)media_.stop_room_recording(room->media_room);
  if (room->session) {
    auto reason = room->booking.end_reason == domain::EndReason::kNone ? std::string("interrupted")
                                                                       : domain::to_string(room->booking.end_reason);
    writer_->close_session(room->session, now, reason);
  }
  (void)media_.destroy_room(room->media_room);
  room_by_media_.erase(room->media_room);
  log_->info("conf={} closed", room->booking.number);
  pin_throttle_.forget(room->booking.number);
  rooms_.erase(id);
}

void ConferenceService::Impl::leave(Call& call, const std::string& reason) {
  Room* room = find_room(call.booking);
  if (!room) return;
  auto it = room->participants.find(call.participant);
  if (it == room->participants.end()) return;
  Participant p = it->second;
  room->participants.erase(it);
  call.booking = BookingId{};
  (void)media_.detach(call.media);
  if (p.connection) {
    auto stats = media_.stats(call.media);
    double loss = stats ? stats->loss_fraction : 0, jitter = stats ? stats->jitter_ms : 0,
           rtt = stats && stats->rtt_ms >= 0 ? stats->rtt_ms : 0;
    writer_->end_connection(p.connection, clock_.now(), reason, loss, jitter, rtt);
  }
  log_->info("conf={} call={} left: {}", room->booking.number, call.id.value(), reason);
  emit_participant("left", *room, p, false, reason);
  if (!p.name_file.empty() && !room->ending) {
    for (auto& [id, other] : room->participants) {
      if (other.waiting) continue;
      Call* oc = find_call(other.call);
      std::vector<std::string> files{p.name_file};
      auto rest = files_for({"has-left"}, oc ? oc->language : room->booking.language);
      files.insert(files.end(), rest.begin(), rest.end());
      (void)media_.play_to_session(other.media, media::PlaySpec{files, false, 0});
    }
  }
  // A room that was never opened (users waiting for a leader who all left) disappears.
  if (room->participants.empty() && !room->session && !room->ending) {
    (void)media_.destroy_room(room->media_room);
    room_by_media_.erase(room->media_room);
    rooms_.erase(room->booking.id);
    return;
  }
  if (room->participants.empty() && !room->ending) empty_room(*room);
}

void ConferenceService::Impl::empty_room(Room& room) {
  // Nobody left (issue 12): the media engine pauses the recording of an empty room; the room ends after the
  // grace time unless someone comes back.
  const int minutes = options_.limits.empty_end_minutes;
  log_->info("conf={} empty{}{}", room.booking.number, room.recording ? ": recording paused" : "",
             minutes > 0 ? "; ends in " + std::to_string(minutes) + " min unless someone joins" : "");
  if (minutes <= 0 || room.empty_timer) return;
  BookingId id = room.booking.id;
  room.empty_timer =
      loop_.add_timer_after(real_delay_until(clock_.now() + std::chrono::minutes{minutes}), [this, id] {
        Room* r = find_room(id);
        if (!r) return;
        r->empty_timer = 0;
        if (r->participants.empty()) end_room(id, domain::EndReason::kEmpty, "system");
      });
}

void ConferenceService::Impl::apply_flags(const Participant& p) {
  media::ParticipantFlags f;
  f.muted = p.muted || p.waiting;
  f.listen_only = p.listen_only;
  f.deaf = p.waiting;
  (void)media_.set_flags(p.media, f);
}

void ConferenceService::Impl::play_to_participant(Room& room, const Participant& p,
                                                  const std::vector<std::string>& keys) {
  Call* c = find_call(p.call);
  auto files = files_for(keys, c ? c->language : room.booking.language);
  (void)media_.play_to_session(p.media, media::PlaySpec{files, false, 0});
}

void ConferenceService::Impl::play_to_others(Room& room, ParticipantId except, const std::vector<std::string>& keys) {
  for (auto& [id, p] : room.participants)
    if (id != except && !p.waiting) play_to_participant(room, p, keys);
}

void ConferenceService::Impl::set_participant_muted(Room& room, Participant& p, bool muted, bool tell) {
  if (p.muted == muted) return;
  p.muted = muted;
  apply_flags(p);
  if (tell) play_to_participant(room, p, {muted ? "muted" : "unmuted"});
  emit_participant("muted", room, p, muted);
}

void ConferenceService::Impl::set_room_locked(Room& room, bool locked) {
  room.locked = locked;
  log_->info("conf={} {}", room.booking.number, locked ? "locked" : "unlocked");
  emit({0, "locked", room.booking.id, room.booking.number, room.booking.owner, clock_.now(), std::nullopt, locked, ""});
}

void ConferenceService::Impl::toggle_recording(Room& room) {
  if (room.recording) {
    (void)media_.stop_room_recording(room.media_room);
    room.recording = false;
    log_->info("conf={} recording stopped: {}", room.booking.number, room.recording_path);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(options_.recordings_dir, ec);
    room.recording_path = std::filesystem::absolute(options_.recordings_dir).string() + "/" + room.booking.number +
                          "-" + std::to_string(room.session) + "-" +
                          std::to_string(to_epoch_ms(clock_.now())) + ".wav";
    if (auto st = media_.start_room_recording(room.media_room, room.recording_path); !st) {
      log_->warn("conf={} recording failed: {}", room.booking.number, st.error().message);
      return;
    }
    room.recording = true;
    log_->info("conf={} recording started: {}", room.booking.number, room.recording_path);
    if (room.session) writer_->set_recording_path(room.session, room.recording_path);
  }
  emit({0, "recording", room.booking.id, room.booking.number, room.booking.owner, clock_.now(), std::nullopt,
        room.recording, room.recording_path});
}

void ConferenceService::Impl::in_call_key(Call& call, char digit) {
  Room* room = find_room(call.booking);
  if (!room) return;
  auto it = room->participants.find(call.participant);
  if (it == room->participants.end()) return;
  Participant& p = it->second;
  if (digit == '*') {
    call.star_pressed = true;
    if (call.key_timer) loop_.cancel_timer(call.key_timer);
    CallId id = call.id;
    call.key_timer = loop_.add_timer_after(options_.key_timeout, [this, id] {
      if (Call* c = find_call(id)) {
        c->star_pressed = false;
        c->key_timer = 0;
      }
    });
    return;
  }
  if (!call.star_pressed) return;
  call.star_pressed = false;
  if (call.key_timer) loop_.cancel_timer(call.key_timer);
  call.key_timer = 0;
  const bool moderator = p.role == domain::Role::kModerator;
  switch (digit) {
    case '1':  // mute / unmute self
      if (p.listen_only) return play_to_participant(*room, p, {"listen-only"});
      return set_participant_muted(*room, p, !p.muted, true);
    case '2': {  // how many are here
      const int others = static_cast<int>(room->participants.size()) - 1;
      if (others <= 0) return play_to_participant(*room, p, {"only-person"});
      if (others == 1) return play_to_participant(*room, p, {"one-other-participant"});
      std::vector<std::string> keys{"there-are"};
      if (auto n = ivr::number_keys(others, call.language)) keys.insert(keys.end(), n->begin(), n->end());
      keys.push_back("other-participants");
      return play_to_participant(*room, p, keys);
    }
    case '0':
      return play_to_participant(*room, p, {moderator ? "help-moderator" : "help-user"});
    default:
      break;
  }
  if (!moderator) return play_to_participant(*room, p, {"invalid-choice"});
  switch (digit) {
    case '3':
      set_room_locked(*room, !room->locked);
      return play_to_participant(*room, p, {room->locked ? "locked-now" : "unlocked-now"});
    case '4': {
      bool any_unmuted = false;
      for (auto& [id, o] : room->participants)
        if (o.role == domain::Role::kUser && !o.muted && !o.listen_only) any_unmuted = true;
      for (auto& [id, o] : room->participants)
        if (o.role == domain::Role::kUser && !o.listen_only) set_participant_muted(*room, o, any_unmuted, false);
      return play_to_participant(*room, p, {any_unmuted ? "all-muted" : "all-unmuted"});
    }
    case '5':
      toggle_recording(*room);
      return play_to_participant(*room, p, {room->recording ? "recording-started" : "recording-stopped"});
    case '9':
      return end_room(room->booking.id, domain::EndReason::kEndedByModerator, p.caller_number);
    default:
      return play_to_participant(*room, p, {"invalid-choice"});
  }
}

std::vector<std::string> ConferenceService::Impl::describe(const domain::Booking& b, domain::Language language,
                                                        bool pins) {
  // Number digit by digit, [PINs digit by digit,] validity end, max participants (ivr/say.h); no duration.
  auto keys = ivr::booking_details_keys(b, options_.time_zone, language, ivr::BookingReadBack{pins, false});
  if (!keys) {
    log_->warn("conf={} cannot read back the booking: {}", b.number, keys.error().message);
    return {};
  }
  return *keys;
}

LiveParticipant ConferenceService::Impl::snapshot(const Participant& p) const {
  LiveParticipant l;
  l.id = p.id;
  l.caller_number = p.caller_number;
  l.name = p.display_name;
  l.role = role_name(p.role);
  l.joined_at = p.joined_at;
  l.talking = p.talking;
  l.muted = p.muted;
  l.listen_only = p.listen_only;
  l.waiting = p.waiting;
  l.access_number = p.access_number;
  l.codec = p.codec;
  return l;
}

LiveConference ConferenceService::Impl::snapshot(const Room& room) const {
  LiveConference c;
  c.booking = room.booking.id;
  c.session = writer_->session_id(room.session).value_or(SessionId{});
  c.name = room.booking.name;
  c.number = room.booking.number;
  c.owner = room.booking.owner;
  c.opened_at = room.booking.opened_at.value_or(TimePoint{});
  c.ends_at = domain::ends_at(room.booking).value_or(TimePoint{});
  c.max_participants = room.booking.max_participants;
  c.locked = room.locked;
  c.recording = room.recording;
  for (const auto& [id, p] : room.participants) {
    if (p.waiting) c.waiting_for_leader = true;
    c.participants.push_back(snapshot(p));
  }
  c.invites = room.invites;
  return c;
}

void ConferenceService::Impl::emit(ConferenceEvent event) {
  event.seq = next_seq_++;
  for (auto& [id, s] : subscribers_) s(event);
}

void ConferenceService::Impl::emit_participant(const std::string& type, const Room& room, const Participant& p,
                                               bool flag, const std::string& detail) {
  emit({0, type, room.booking.id, room.booking.number, room.booking.owner, clock_.now(), snapshot(p), flag, detail});
}

}  // namespace confpro::conference
