// ConferenceService: the ControlApi for the console (web threads → control loop) and stopping.
#include <algorithm>
#include <utility>

#include "common/timezone.h"
#include "conference/service_impl.h"

namespace confpro::conference {

namespace {
Error no_conference(BookingId id) {
  return Error::not_found("conference " + std::to_string(id.value()) + " is not live on this node");
}
}  // namespace

std::vector<LiveConference> ConferenceService::live_conferences() {
  return impl_->on_loop<std::vector<LiveConference>>(
      [this] {
        std::vector<LiveConference> out;
        for (const auto& [id, room] : impl_->rooms_) out.push_back(impl_->snapshot(*room));
        return out;
      },
      {});
}

std::optional<LiveConference> ConferenceService::live_conference(BookingId id) {
  return impl_->on_loop<std::optional<LiveConference>>(
      [this, id]() -> std::optional<LiveConference> {
        RoomLink* room = impl_->find_room(id);
        if (!room) return std::nullopt;
        return impl_->snapshot(*room);
      },
      std::nullopt);
}

Status ConferenceService::set_muted(BookingId conference, ParticipantId participant, bool muted,
                                    const std::string& actor) {
  return impl_->on_loop<Status>(
      [=, this]() -> Status {
        RoomLink* room = impl_->find_room(conference);
        if (!room) return no_conference(conference);
        const Participant* p = room->room.participant(participant);
        const std::string number = p ? p->caller_number : "";
        auto effects = room->room.set_muted(participant, muted, impl_->clock_.now());
        if (!effects) return effects.error();
        impl_->apply(conference, std::move(*effects));
        impl_->audit(actor, muted ? "participant.mute" : "participant.unmute", "booking:" + std::to_string(conference.value()),
                     number);
        return {};
      },
      Error::unavailable("the conference service did not answer"));
}

Status ConferenceService::eject(BookingId conference, ParticipantId participant, const std::string& actor) {
  return impl_->on_loop<Status>(
      [=, this]() -> Status {
        RoomLink* room = impl_->find_room(conference);
        if (!room) return no_conference(conference);
        const Participant* p = room->room.participant(participant);
        if (!p) return Error::not_found("no such participant");
        Call* call = impl_->find_call(p->call);
        impl_->audit(actor, "participant.eject", "booking:" + std::to_string(conference.value()),
                     p->caller_number);
        if (call) impl_->run(call->id, call->core.ejected());
        return {};
      },
      Error::unavailable("the conference service did not answer"));
}

Status ConferenceService::set_locked(BookingId conference, bool locked, const std::string& actor) {
  return impl_->on_loop<Status>(
      [=, this]() -> Status {
        RoomLink* room = impl_->find_room(conference);
        if (!room) return no_conference(conference);
        impl_->apply(conference, room->room.set_locked(locked, impl_->clock_.now()));
        impl_->audit(actor, locked ? "conference.lock" : "conference.unlock",
                     "booking:" + std::to_string(conference.value()), "");
        return {};
      },
      Error::unavailable("the conference service did not answer"));
}

Status ConferenceService::end_conference(BookingId conference, const std::string& actor) {
  auto st = impl_->on_loop<Status>(
      [=, this]() -> Status {
        RoomLink* room = impl_->find_room(conference);
        if (!room) return no_conference(conference);
        impl_->audit(actor, "conference.end", "booking:" + std::to_string(conference.value()), "");
        impl_->end_room(conference, domain::EndReason::kEndedByAdmin, actor);
        return {};
      },
      Error::unavailable("the conference service did not answer"));
  if (!st) return st;
  // The end is stored (off the loop) before the console hears it is done: what it does next (delete the booking,
  // read it back) sees the ended booking. The room writes run in order: this task runs after the end's.
  auto stored = std::make_shared<std::promise<void>>();
  auto done = stored->get_future();
  if (impl_->room_writes_.post([stored] { stored->set_value(); }) &&
      done.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Error::unavailable("the conference ended but its end is not stored yet");
  return {};
}

Status ConferenceService::set_granted_until(BookingId conference, std::optional<TimePoint> until,
                                            const std::string& actor) {
  return impl_->on_loop<Status>(
      [=, this]() -> Status {
        RoomLink* room = impl_->find_room(conference);
        if (!room) return no_conference(conference);
        if (room->room.granted_until() == until) return {};
        const std::string detail = until ? "until " + format_iso_utc(*until) : "no limit";
        impl_->log_->info("conf={} billing grants {}", room->room.booking().number, detail);
        impl_->audit(actor, "conference.grant", "booking:" + std::to_string(conference.value()), detail);
        impl_->apply(conference, room->room.set_granted_until(until, impl_->clock_.now()));
        return {};
      },
      Error::unavailable("the conference service did not answer"));
}

void ConferenceService::booking_changed(BookingId booking) {
  impl_->loop_.post([this, booking] {
    if (!impl_->find_room(booking)) return;
    impl_->store_then(booking, [this, booking] { return impl_->store_.get_booking(booking); }, "read-back");
  });
}

namespace {
InviteResult refused(std::string code, std::string message) {
  return InviteResult{"", "refused", std::move(code), std::move(message)};
}

// "You are invited to <conference> by <organizer>." in the conference's language, for speech.
std::string intro_text(const domain::Booking& booking, const std::string& organizer) {
  auto clip = [](const std::string& s) { return s.size() > 100 ? s.substr(0, 100) : s; };
  if (booking.language == domain::Language::kEnglish)
    return "You are invited to " + clip(booking.name) + " by " + clip(organizer) + ".";
  return "Vous êtes invité à " + clip(booking.name) + " par " + clip(organizer) + ".";
}
}  // namespace

Result<InviteResult> ConferenceService::invite_by_number(BookingId conference, const std::string& number,
                                                         const std::string& actor) {
  // The intro is spoken here, on the caller's thread: speech may take a moment the control loop must not
  // wait.
  // The booking is read here too, not on the control loop (it is used when no room is live).
  std::vector<std::string> intro{"invited-to-conference"};
  auto read = impl_->bookings_.get(conference);
  if (const auto& b = read) {
    auto owner = impl_->directory_.find(b->owner);
    const std::string organizer = owner && !owner->display_name.empty() ? owner->display_name : b->owner;
    if (auto said = impl_->prompts_.speak(intro_text(*b, organizer), b->language)) {
      intro = {*said};
    } else {
      impl_->log_->warn("conf={} invite intro not spoken: {}", b->number, said.error().message);
    }
  }
  return impl_->on_loop<Result<InviteResult>>(
      [=, this]() -> Result<InviteResult> {
        if (!impl_->sip_)
          return refused("dial_out_unavailable", "Calling out is not available: SIP is not running.");
        RoomLink* room = impl_->find_room(conference);
        domain::Booking booking;
        if (room) {
          booking = room->room.booking();
        } else {
          if (!read) return read.error();
          booking = *read;
          if (impl_->ended_here(conference)) return refused("conference_ended", "The conference has ended.");
        }
        // Refused before dialling what the invitee could not join anyway.
        if ((room && room->room.ending()) ||
            domain::effective_state(booking, impl_->clock_.now()) == domain::BookingState::kEnded)
          return refused("conference_ended", "The conference has ended.");
        if (room && room->room.locked())
          return refused("conference_locked", "The conference is locked: unlock it to invite someone.");
        const int taken =
            (room ? static_cast<int>(room->room.participants().size()) : 0) + impl_->invites_pending(conference);
        if (taken >= booking.max_participants)
          return refused("conference_full", "The conference is full (" +
                                                std::to_string(booking.max_participants) +
                                                " participants, invites being answered included).");
        sip::DialRequest request;
        request.number = number;
        request.conference_tag = booking.number;
        if (room) request.near_room = room->media_room;  // the invitee's session is made where the room lives
        auto call_id = impl_->sip_->dial(request);
        if (!call_id) {
          impl_->log_->info("conf={} invite of {} not dialled: {}", booking.number, number,
                            call_id.error().message);
          switch (call_id.error().code) {
            case ErrorCode::kPermissionDenied:
            case ErrorCode::kInvalidArgument:
              return refused("number_not_allowed", "This number may not be called from this server.");
            case ErrorCode::kResourceExhausted:
              return refused("dial_out_limit",
                             "Too many calls out right now: " + call_id.error().message + ".");
            case ErrorCode::kFailedPrecondition:
              return refused("dial_out_unavailable", "Calling out is not configured on this server.");
            default:
              return call_id.error();
          }
        }
        auto call = std::make_unique<Call>(CallCore::dial_out());
        call->id = *call_id;
        call->direct = booking;
        call->language = booking.language;
        call->incoming.call = *call_id;
        call->incoming.caller_number = number;
        call->incoming.dialled = number;
        call->invite_id = "invite-" + std::to_string(impl_->next_invite_++);
        call->intro = intro;
        InviteResult result{call->invite_id, "dialing", "", ""};
        Call& placed = *call;
        impl_->calls_[*call_id] = std::move(call);
        impl_->audit(actor, "conference.invite", "booking:" + std::to_string(conference.value()), number);
        impl_->invite_update(placed, "dialing");
        return result;
      },
      Error::unavailable("the conference service did not answer"));
}

ControlApi::SubscriptionId ConferenceService::subscribe(Subscriber subscriber) {
  return impl_->on_loop<SubscriptionId>(
      [this, subscriber = std::move(subscriber)]() mutable {
        SubscriptionId id = impl_->next_subscription_++;
        impl_->subscribers_[id] = std::move(subscriber);
        return id;
      },
      0);
}

void ConferenceService::unsubscribe(SubscriptionId id) {
  impl_->loop_.post([impl = impl_.get(), id] { impl->subscribers_.erase(id); });
}

void ConferenceService::stop() {
  impl_->on_loop<bool>(
      [this] {
        impl_->stopping_ = true;
        if (impl_->renew_timer_) impl_->loop_.cancel_timer(std::exchange(impl_->renew_timer_, 0));
        std::vector<BookingId> rooms;
        for (const auto& [id, room] : impl_->rooms_) rooms.push_back(id);
        for (BookingId id : rooms)  // sessions closed "interrupted" unless ended
          if (RoomLink* room = impl_->find_room(id)) impl_->apply(id, room->room.shut_down(impl_->clock_.now()));
        for (auto& [id, call] : impl_->calls_) impl_->hangup(*call, "shutdown");
        return true;
      },
      false);
  impl_->room_writes_.stop();  // the bookings' openings and ends under way are stored
  impl_->claims_.stop();  // the claims of the rooms just closed are released; nothing is renewed any more
  // The sessions just closed are in the store before stop() returns (unless the store is failing: the writer
  // logs that, and its destructor retries a while longer).
  (void)impl_->writer_->drain(std::chrono::seconds(10));
}

HealthReport ConferenceService::health() {
  const auto w = impl_->writer_->stats();
  HealthReport r;
  r.history_ok = !w.degraded;
  r.history_queued = w.queued;
  r.history_oldest_pending_ms = w.oldest_pending.count();
  r.history_since_last_write_ms = w.since_last_write ? w.since_last_write->count() : -1;
  r.history_failing_for = w.failing_for;
  r.history_stalled = w.stalled;
  r.history_written = w.written;
  r.history_failed = w.failed;
  r.history_dropped = w.dropped;
  r.history_last_error = w.last_error;
  return r;
}

std::optional<std::set<BookingId>> ConferenceService::bookings_with_room() {
  return impl_->on_loop<std::optional<std::set<BookingId>>>(
      [this] {
        std::set<BookingId> ids;
        for (const auto& [id, room] : impl_->rooms_) ids.insert(id);
        return std::optional<std::set<BookingId>>(std::move(ids));
      },
      std::nullopt);
}

std::optional<LoadCounts> ConferenceService::load_counts() {
  return impl_->on_loop<std::optional<LoadCounts>>(
      [this] {
        LoadCounts n;
        for (const auto& [id, room] : impl_->rooms_) {
          ++n.conferences;
          n.participants += room->members.size();
        }
        return std::optional<LoadCounts>(n);
      },
      std::nullopt);
}

Status ConferenceService::access_numbers_changed() {
  auto answer = std::make_shared<std::promise<Status>>();
  auto routed = answer->get_future();
  access_numbers_->reload([answer](Status st) { answer->set_value(std::move(st)); });
  if (routed.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
    return Error::unavailable("access numbers are still being reloaded");
  try {
    return routed.get();
  } catch (const std::future_error&) {  // the loop stopped before the answer
    return Error::unavailable("the service is stopping");
  }
}

}  // namespace confpro::conference
