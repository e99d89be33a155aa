// ConferenceService: the executor of the live rooms' effects (room.h holds their rules) — media, history, the
// booking's opening and end off the control loop, timers, console events (control loop).
#include <algorithm>
#include <deque>
#include <filesystem>
#include <type_traits>

#include "booking/billing.h"
#include "common/timezone.h"
#include "conference/service_impl.h"
#include "ivr/say.h"

namespace confpro::conference {

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

RoomOptions ConferenceService::Impl::room_options() const {
  return RoomOptions{options_.limits, options_.key_timeout, options_.end_prompt_grace, options_.number_rules};
}

bool ConferenceService::Impl::ended_here(BookingId booking) const {
  return std::find(ended_here_.begin(), ended_here_.end(), booking) != ended_here_.end();
}

domain::JoinOutcome ConferenceService::Impl::admit(const domain::Booking& booking, domain::Role role,
                                                   const std::string& pin, const std::string& caller) {
  const auto now = clock_.now();
  if (RoomLink* link = find_room(booking.id)) return link->room.admit(role, pin, caller, now);
  // No room here: the booking as the caller's flow read it (off the loop, moments ago). A conference that ended
  // on this node stays ended for late callers whose flow read it before the end.
  if (ended_here(booking.id)) return domain::JoinOutcome::kEnded;
  return Room(booking, room_options()).admit(role, pin, caller, now);
}

void ConferenceService::Impl::enter(Call& call, const domain::Booking& requested, domain::Role role,
                                    const std::string& name_file) {
  const auto started = std::chrono::steady_clock::now();  // time this join takes on the control loop
  const auto now = clock_.now();
  // Someone took the last place (or locked, or it ended) during the IVR: the caller hears why, then goodbye.
  auto refuse = [this, &call](domain::JoinOutcome outcome) {
    run(call.id, call.core.refused({ivr::refusal_for(outcome).prompt, "goodbye"}, next_tag_++));
  };
  RoomLink* link = find_room(requested.id);
  if (!link) {
    // No room is made for what could not be entered anyway (an ended conference never comes back).
    if (auto outcome = admit(requested, role, "", ""); outcome != domain::JoinOutcome::kOk) return refuse(outcome);
    // Several nodes: the room is made only on the node that claims the conference (service_claims.cpp).
    if (!may_host(requested.id)) return wait_for_claim(call, requested, role, name_file);
    // Made on the worker of the first participant's session: it joins without moving (docs/architecture.md).
    auto media_room = media_.create_room("conf=" + requested.number, call.media);
    if (!media_room) {
      log_->error("conf={} cannot create media room: {}", requested.number, media_room.error().message);
      return hangup(call, "media-error");
    }
    auto made = std::make_unique<RoomLink>(Room(requested, room_options()));
    made->media_room = *media_room;
    room_by_media_[*media_room] = requested.id;
    link = made.get();
    rooms_[requested.id] = std::move(made);
  }
  const BookingId id = link->room.booking().id;
  const ParticipantId pid{next_participant_++};
  Entrant who{call.id,
              call.media,
              role,
              call.language,
              call.incoming.caller_number,
              call.incoming.display_name,
              call.pin,
              call.access_number,
              media::to_string(call.incoming.codec.kind),
              name_file};
  link->members[pid] = RoomLink::Member{call.id, call.media, call.language, 0, 0};
  std::optional<domain::JoinOutcome> refused;
  auto effects = link->room.enter(pid, who, now, &refused);
  if (refused) {
    link->members.erase(pid);
    if (link->room.participants().empty() && !link->room.opened()) apply(id, {effect::Close{}});
    return refuse(*refused);
  }
  call.booking = id;
  call.participant = pid;
  // `requested` may be the caller's flow's own booking: entering drops the flow (DropFlow), so nothing below
  // may read it (the log line read a freed string: garbage, or spdlog's bad_alloc instead of the line).
  const std::string number = requested.number;
  run(call.id, call.core.entered());
  apply(id, std::move(effects));
  const Participant* joined = link->room.participant(pid);
  log_->info("conf={} call={} joined as {}{} (control loop {:.3f} ms)", number, call.id.value(),
             domain::to_string(role), joined && joined->waiting ? " (waiting for the leader)" : "",
             std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
}

void ConferenceService::Impl::leave(Call& call, const std::string& reason) {
  const BookingId id = call.booking;
  call.booking = BookingId{};
  call.core.left_room();
  RoomLink* link = find_room(id);
  if (!link || !link->room.participant(call.participant)) return;
  log_->info("conf={} call={} left: {}", link->room.booking().number, call.id.value(), reason);
  apply(id, link->room.leave(call.participant, reason, clock_.now()));
}

void ConferenceService::Impl::in_call_key(Call& call, char digit) {
  if (RoomLink* link = find_room(call.booking))
    apply(call.booking, link->room.key(call.participant, digit, clock_.now()));
}

void ConferenceService::Impl::end_room(BookingId id, domain::EndReason reason, const std::string& actor) {
  RoomLink* link = find_room(id);
  if (!link || link->room.ending()) return;
  log_->info("conf={} end asked by {}", link->room.booking().number, actor);
  apply(id, link->room.end(reason, actor, clock_.now()));
}

void ConferenceService::Impl::apply(BookingId id, Effects effects) {
  RoomLink* link = find_room(id);
  if (!link) return;
  std::deque<Effect> todo(std::make_move_iterator(effects.begin()), std::make_move_iterator(effects.end()));
  bool closed = false;
  while (!todo.empty()) {
    Effects more;
    apply_one(*link, todo.front(), more, closed);
    todo.pop_front();
    todo.insert(todo.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  if (!closed) return;
  for (auto& [timer, timer_id] : link->timers) loop_.cancel_timer(timer_id);
  for (auto& [pid, m] : link->members)
    if (m.star_timer) loop_.cancel_timer(m.star_timer);
  (void)media_.destroy_room(link->media_room);
  room_by_media_.erase(link->media_room);
  pin_throttle_.forget(link->room.booking().number);
  if (link->room.ending()) {
    ended_here_.push_back(id);
    if (ended_here_.size() > 1000) ended_here_.pop_front();
  }
  log_->info("conf={} closed", link->room.booking().number);
  release_claim(id, link->room.booking().number);
  rooms_.erase(id);
}

void ConferenceService::Impl::play_to(const RoomLink::Member& m, const std::vector<std::string>& keys) {
  (void)media_.play_to_session(m.media, media::PlaySpec{files_for(keys, m.language), false, 0});
}

void ConferenceService::Impl::apply_one(RoomLink& link, const Effect& fx, Effects& more, bool& closed) {
  const BookingId id = link.room.booking().id;
  const std::string& number = link.room.booking().number;
  auto member = [&](ParticipantId p) -> RoomLink::Member* {
    auto it = link.members.find(p);
    return it == link.members.end() ? nullptr : &it->second;
  };
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, effect::Play>) {
          if (auto* m = member(e.to)) play_to(*m, e.keys);
        } else if constexpr (std::is_same_v<E, effect::PlayRoom>) {
          auto files = files_for(e.keys, link.room.booking().language);
          (void)media_.play_to_room(link.media_room, media::PlaySpec{files, false, e.tag});
        } else if constexpr (std::is_same_v<E, effect::HoldMusic>) {
          if (auto* m = member(e.to)) {
            auto files = files_for({"wait-for-leader"}, m->language);
            if (auto moh = prompts_.music_on_hold_files()) files.insert(files.end(), moh->begin(), moh->end());
            (void)media_.play_to_session(m->media, media::PlaySpec{files, true, 0});
          }
        } else if constexpr (std::is_same_v<E, effect::StopPlaying>) {
          if (auto* m = member(e.to)) (void)media_.stop_playing_session(m->media);
        } else if constexpr (std::is_same_v<E, effect::SetFlags>) {
          if (auto* m = member(e.to)) {
            media::ParticipantFlags f;
            f.muted = e.muted;
            f.listen_only = e.listen_only;
            f.deaf = e.deaf;
            (void)media_.set_flags(m->media, f);
          }
        } else if constexpr (std::is_same_v<E, effect::Attach>) {
          if (auto* m = member(e.who); m) {
            if (auto st = media_.attach(m->media, link.media_room, {}); !st)
              log_->warn("conf={} call={} attach failed: {}", number, m->call.value(), st.error().message);
          }
        } else if constexpr (std::is_same_v<E, effect::Detach>) {
          if (auto* m = member(e.who)) {
            (void)media_.detach(m->media);
            link.members.erase(e.who);
          }
        } else if constexpr (std::is_same_v<E, effect::StoreOpening>) {
          const TimePoint at = e.at;
          store_then(
              id,
              [this, id, at]() -> Result<domain::Booking> {
                auto fresh = store_.get_booking(id);
                if (!fresh) return fresh.error();
                if (fresh->state != domain::BookingState::kScheduled) return *fresh;  // opened elsewhere already
                domain::Booking opened = *fresh;
                if (auto st = domain::open(opened, at); !st) return st.error();
                return store_.update_booking(opened, fresh->version, {});
              },
              "opening");
        } else if constexpr (std::is_same_v<E, effect::StoreEnd>) {
          booking::Actor actor{e.actor, true, e.actor == "system" ? "system" : "web"};
          const auto reason = e.reason;
          // The capture is priced from the connection history: the legs that left before the end are written
          // first (the writer's queue, in order; ones still in are counted up to the end).
          store_then(
              id,
              [this, id, reason, actor] {
                if (!writer_->drain(std::chrono::seconds(5)))
                  log_->warn("booking={} ended before its connection history was written", id.value());
                return bookings_.end(id, reason, actor);
              },
              "end");
        } else if constexpr (std::is_same_v<E, effect::OpenSession>) {
          store::ConferenceSession session;
          session.booking = id;
          session.number = number;
          session.opened_at = clock_.now();
          session.node = options_.node_id;
          link.session = writer_->open_session(std::move(session));
          log_->info("conf={} opened (ends {})", number,
                     format_iso_utc(link.room.ends_at().value_or(clock_.now())));
        } else if constexpr (std::is_same_v<E, effect::CloseSession>) {
          if (link.session) writer_->close_session(link.session, clock_.now(), e.reason);
        } else if constexpr (std::is_same_v<E, effect::RecordConnection>) {
          const Participant* p = link.room.participant(e.who);
          auto* m = member(e.who);
          if (!p || !m) return;
          store::ParticipantConnection c;
          c.booking = id;
          c.caller_number = p->caller_number;
          c.caller_name = p->display_name;
          c.invitee = p->invitee;
          c.role = domain::to_string(p->role);
          c.access_number = p->access_number;
          c.call_ref = std::to_string(p->call.value());
          c.joined_at = p->joined_at;
          c.codec = p->codec;
          if (Call* call = find_call(p->call)) {
            c.remote_address = call->incoming.remote_address;
            if (!call->invite_id.empty()) c.call_ref.insert(0, booking::kDialOutCallRef);
          }
          m->connection = writer_->start_connection(link.session, std::move(c));
        } else if constexpr (std::is_same_v<E, effect::EndConnection>) {
          auto* m = member(e.who);
          if (!m || !m->connection) return;
          auto stats = media_.stats(m->media);
          double loss = stats ? stats->loss_fraction : 0, jitter = stats ? stats->jitter_ms : 0,
                 rtt = stats && stats->rtt_ms >= 0 ? stats->rtt_ms : 0;
          writer_->end_connection(m->connection, clock_.now(), e.reason, loss, jitter, rtt);
        } else if constexpr (std::is_same_v<E, effect::StartRecording>) {
          std::error_code ec;
          std::filesystem::create_directories(options_.recordings_dir, ec);
          link.recording_path = std::filesystem::absolute(options_.recordings_dir).string() + "/" + number + "-" +
                                std::to_string(link.session) + "-" + std::to_string(to_epoch_ms(clock_.now())) +
                                ".wav";
          if (auto st = media_.start_room_recording(link.media_room, link.recording_path); !st) {
            log_->warn("conf={} recording failed: {}", number, st.error().message);
            auto failed = link.room.recording_failed(clock_.now());
            more.insert(more.end(), failed.begin(), failed.end());
            return;
          }
          log_->info("conf={} recording started: {}", number, link.recording_path);
          if (link.session) writer_->set_recording_path(link.session, link.recording_path);
        } else if constexpr (std::is_same_v<E, effect::StopRecording>) {
          (void)media_.stop_room_recording(link.media_room);
          log_->info("conf={} recording stopped: {}", number, link.recording_path);
        } else if constexpr (std::is_same_v<E, effect::Arm>) {
          arm(id, link, e);
        } else if constexpr (std::is_same_v<E, effect::Disarm>) {
          if (e.timer == RoomTimer::kStarKey) {
            if (auto* m = member(e.who); m && m->star_timer) {
              loop_.cancel_timer(m->star_timer);
              m->star_timer = 0;
            }
          } else if (auto it = link.timers.find(e.timer); it != link.timers.end()) {
            loop_.cancel_timer(it->second);
            link.timers.erase(it);
          }
        } else if constexpr (std::is_same_v<E, effect::Hangup>) {
          if (Call* c = find_call(e.call)) {
            c->booking = BookingId{};  // already out of the room
            hangup(*c, e.reason);
          }
        } else if constexpr (std::is_same_v<E, effect::DropInvites>) {
          drop_invites(id);
        } else if constexpr (std::is_same_v<E, effect::Emit>) {
          ConferenceEvent event = e.event;
          if (event.type == "recording" && event.flag) event.detail = link.recording_path;
          if (event.type == "warning" && event.detail == "credit")
            log_->info("conf={} credit warning: the time granted ends {}", number,
                       format_iso_utc(link.room.ends_at().value_or(clock_.now())));
          else if (event.type == "warning")
            log_->info("conf={} five-minute warning{}", number, event.detail == "at-opening" ? " (at opening)" : "");
          else if (event.type == "locked")
            log_->info("conf={} {}", number, event.flag ? "locked" : "unlocked");
          else if (event.type == "ended")
            log_->info("conf={} ending: {}", number, event.detail);
          emit(std::move(event));
        } else if constexpr (std::is_same_v<E, effect::Close>) {
          closed = true;
        }
      },
      fx);
}

void ConferenceService::Impl::arm(BookingId id, RoomLink& link, const effect::Arm& a) {
  const auto delay = a.at ? real_delay_until(*a.at) : a.after;
  const RoomTimer kind = a.timer;
  const ParticipantId who = a.who;
  auto fire = [this, id, kind, who] {
    RoomLink* l = find_room(id);
    if (!l) return;
    if (kind == RoomTimer::kStarKey) {
      if (auto it = l->members.find(who); it != l->members.end()) it->second.star_timer = 0;
    } else {
      l->timers.erase(kind);
    }
    apply(id, l->room.timer(kind, who, clock_.now()));
  };
  if (kind == RoomTimer::kStarKey) {
    auto it = link.members.find(who);
    if (it == link.members.end()) return;
    if (it->second.star_timer) loop_.cancel_timer(it->second.star_timer);
    it->second.star_timer = loop_.add_timer_after(delay, fire);
    return;
  }
  if (auto it = link.timers.find(kind); it != link.timers.end()) loop_.cancel_timer(it->second);
  if (kind == RoomTimer::kEmpty)
    log_->info("conf={} empty{}; ends in {} min unless someone joins", link.room.booking().number,
               link.room.recording() ? ": recording paused" : "", options_.limits.empty_end_minutes);
  link.timers[kind] = loop_.add_timer_after(delay, fire);
}

void ConferenceService::Impl::store_then(BookingId id, std::function<Result<domain::Booking>()> write,
                                         std::string what) {
  room_writes_.then<Result<domain::Booking>>(
      loop_, std::move(write), [this, id, what = std::move(what)](Result<domain::Booking> stored) {
        if (!stored) {
          log_->error("booking={} {} not stored: {}", id.value(), what, stored.error().message);
          return;
        }
        if (RoomLink* link = find_room(id)) apply(id, link->room.booking_stored(*stored, clock_.now()));
      });
}

RoomLink* ConferenceService::Impl::find_room(BookingId id) {
  auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : it->second.get();
}

LiveConference ConferenceService::Impl::snapshot(const RoomLink& link) const {
  auto c = link.room.snapshot(writer_->session_id(link.session).value_or(SessionId{}));
  c.invites = link.invites;
  return c;
}

void ConferenceService::Impl::emit(ConferenceEvent event) {
  event.seq = next_seq_++;
  for (auto& [id, s] : subscribers_) s(event);
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

}  // namespace confpro::conference
