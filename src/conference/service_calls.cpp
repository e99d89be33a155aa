// ConferenceService: call routing, IVR plumbing and media events (control loop).
#include <algorithm>
#include <filesystem>

#include "conference/call_host.h"
#include "conference/service_impl.h"
#include "ivr/flow_menu.h"
#include "ivr/invite_flow.h"
#include "ivr/join_flow.h"

namespace confpro::conference {

ConferenceService::Impl::Impl(ConferenceService& owner, EventLoop& loop, WorkerPool& work, const Clock& clock,
                              store::Store& store,
                              booking::BookingService& bookings, directory::Directory& directory,
                              media::MediaEngine& media, const ivr::PromptCatalog& prompts, ServiceOptions options)
    : owner_(owner),
      loop_(loop),
      work_(work),
      clock_(clock),
      store_(store),
      bookings_(bookings),
      directory_(directory),
      media_(media),
      prompts_(prompts),
      options_(std::move(options)),
      log_(log::get("conference")),
      writer_(std::make_unique<SessionWriter>(store_, log_)),
      pin_throttle_(PinThrottleOptions{options_.pin_lockout_failures, options_.pin_lockout_conference_failures,
                                       options_.pin_lockout_window, options_.pin_lockout_duration,
                                       std::chrono::seconds(30)}) {}

Call* ConferenceService::Impl::find_call(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

Call* ConferenceService::Impl::find_call_by_media(MediaSessionId id) {
  auto it = call_by_media_.find(id);
  return it == call_by_media_.end() ? nullptr : find_call(it->second);
}

// Calls from `ip` answered or ringing but not in a conference yet (in the IVR): what a flood from one source
// would pile up, each with media and a prompt playing.
int ConferenceService::Impl::calls_before_conference(const std::string& ip) const {
  int n = 0;
  for (const auto& [id, c] : calls_)
    if (c->core.kind() != CallCore::Kind::kInvite && c->incoming.source_ip == ip && c->core.before_conference()) ++n;
  return n;
}

void ConferenceService::Impl::incoming(const sip::IncomingCall& in) {
  if (stopping_ || !sip_) return;
  const std::string& dialled = in.dialled_digits.empty() ? in.dialled : in.dialled_digits;
  const store::AccessNumber* route = owner_.access_numbers_->find(dialled);
  Arrival arrival;
  arrival.dialled = dialled;
  arrival.access_number = route != nullptr;
  arrival.trusted_peer = in.trusted_peer || in.source_ip.empty();
  arrival.ivr_calls_from_source = in.source_ip.empty() ? 0 : calls_before_conference(in.source_ip);
  arrival.max_ivr_calls_per_source = options_.max_ivr_calls_per_source;
  auto [core, effects] = CallCore::arrive(arrival);
  auto call = std::make_unique<Call>(std::move(core));
  call->id = in.call;
  call->incoming = in;
  if (route) {
    call->language = route->language;
    call->access_number = route->number;
  }
  calls_[in.call] = std::move(call);
  run(in.call, std::move(effects));
}

void ConferenceService::Impl::routed(CallId id, Result<domain::Booking> booking) {
  Call* call = find_call(id);
  if (!call) return;  // ended (CANCEL) during the look-up
  if (booking && call->core.routing()) {
    call->language = booking->language;
    call->direct = *booking;
  }
  run(id, call->core.booking_read(static_cast<bool>(booking), stopping_ || !sip_));
}

void ConferenceService::Impl::run(CallId id, CallEffects effects) {
  for (auto& effect : effects) {
    Call* call = find_call(id);
    if (!call) return;
    run_one(*call, effect);
  }
}

void ConferenceService::Impl::run_one(Call& call, CallEffect& effect) {
  using namespace call_effect;
  const sip::IncomingCall& in = call.incoming;
  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Reject>) {
          if (e.status == 503)
            log_->warn("call={} from {}: {} calls from this source in the IVR already → 503", in.call.value(),
                       in.source_ip, options_.max_ivr_calls_per_source);
          else
            log_->info("call={} from {} to {}: no such access or conference number → {}", in.call.value(),
                       in.caller_number, in.dialled, e.status);
          if (sip_) sip_->reject(call.id, e.status, e.reason);
        } else if constexpr (std::is_same_v<E, ReadBooking>) {
          auto work = [&bookings = bookings_, number = e.number] { return bookings.get_by_number(number); };
          auto done = [this, id = call.id](Result<domain::Booking> booking) { routed(id, std::move(booking)); };
          if (!work_.then<Result<domain::Booking>>(loop_, std::move(work), std::move(done)))
            loop_.post([this, id = call.id] { routed(id, Error::unavailable("the worker pool has stopped")); });
        } else if constexpr (std::is_same_v<E, Accept>) {
          log_->info("call={} from {} to {} ({}) codec={} remote={}", in.call.value(),
                     in.caller_number.empty() ? "anonymous" : in.caller_number, in.dialled,
                     call.core.kind() == CallCore::Kind::kDirect ? "conference" : "access number",
                     media::to_string(in.codec.kind), in.remote_address);
          // A caller of a live conference's own number gets its media session on that room's worker.
          RoomId near;
          if (call.direct)
            if (const RoomLink* room = find_room(call.direct->id)) near = room->media_room;
          if (sip_) sip_->accept(call.id, near);
        } else if constexpr (std::is_same_v<E, StartFlow>) {
          start_flow(call);
        } else if constexpr (std::is_same_v<E, FlowDigit>) {
          if (call.flow) call.flow->digit(e.digit);
        } else if constexpr (std::is_same_v<E, FlowPromptDone>) {
          if (call.flow) call.flow->prompt_done(e.tag);
        } else if constexpr (std::is_same_v<E, FlowTimeout>) {
          if (call.flow) call.flow->timeout();
        } else if constexpr (std::is_same_v<E, DropFlow>) {
          call.flow.reset();
        } else if constexpr (std::is_same_v<E, RoomKey>) {
          in_call_key(call, e.digit);
        } else if constexpr (std::is_same_v<E, LeaveRoom>) {
          leave(call, e.reason);
        } else if constexpr (std::is_same_v<E, Play>) {
          play_keys(call, e.keys, e.tag);
        } else if constexpr (std::is_same_v<E, InviteUpdate>) {
          invite_update(call, e.state, e.reason);
        } else if constexpr (std::is_same_v<E, Arm>) {
          arm(call, e.timer, e.after);
        } else if constexpr (std::is_same_v<E, Disarm>) {
          disarm(call, e.timer);
        } else if constexpr (std::is_same_v<E, Hangup>) {
          if (sip_) sip_->hangup(call.id, e.reason);
        } else if constexpr (std::is_same_v<E, Forget>) {
          for (auto& [timer, timer_id] : call.timers) loop_.cancel_timer(timer_id);
          if (!call.name_file.empty()) {
            std::error_code ec;
            std::filesystem::remove(call.name_file, ec);
          }
          if (call.media.valid()) call_by_media_.erase(call.media);
          calls_.erase(call.id);  // `call` is gone: run() stops here
        }
      },
      effect);
}

void ConferenceService::Impl::answered(CallId id, MediaSessionId session) {
  Call* call = find_call(id);
  if (!call) return;
  call->media = session;
  call_by_media_[session] = id;
  bool ended = false;
  if (call->core.kind() == CallCore::Kind::kInvite && call->direct)
    ended = admit(*call->direct, domain::Role::kUser, "", "") == domain::JoinOutcome::kEnded;
  run(id, call->core.answered(ended));
}

void ConferenceService::Impl::start_flow(Call& call) {
  if (!call.host) call.host = std::make_unique<CallHost>(*this, call.id);
  switch (call.core.kind()) {
    case CallCore::Kind::kAccessNumber:
      call.flow = std::make_unique<ivr::MenuFlow>(*call.host, options_.flow);
      break;
    case CallCore::Kind::kDirect:
      call.flow = std::make_unique<ivr::JoinFlow>(*call.host, options_.flow, call.direct);
      break;
    case CallCore::Kind::kInvite:
      call.flow = std::make_unique<ivr::InviteFlow>(*call.host, options_.flow, *call.direct, call.intro);
      break;
  }
  call.flow->start();
}

void ConferenceService::Impl::dtmf(CallId id, char digit) {
  Call* call = find_call(id);
  if (!call) return;
  log_->debug("call={} digit {}", id.value(), digit);
  run(id, call->core.digit(digit));
}

void ConferenceService::Impl::progress(CallId id, int status, const std::string& reason) {
  Call* call = find_call(id);
  if (!call) return;
  log_->debug("call={} progress {} {}", id.value(), status, reason);
  run(id, call->core.progress(status));
}

void ConferenceService::Impl::invite_update(const Call& call, const std::string& state,
                                            const std::string& reason) {
  if (call.core.kind() != CallCore::Kind::kInvite || !call.direct) return;
  const domain::Booking& b = *call.direct;
  LiveInvite invite{call.invite_id, call.incoming.dialled, state, reason, clock_.now()};
  log_->info("conf={} call={} {} to {}: {}{}", b.number, call.id.value(), call.invite_id, invite.number,
             state, reason.empty() ? "" : " (" + reason + ")");
  if (RoomLink* room = find_room(b.id)) {
    auto& list = room->invites;
    auto it = std::find_if(list.begin(), list.end(), [&](const LiveInvite& i) { return i.id == invite.id; });
    if (it != list.end())
      *it = invite;
    else
      list.push_back(invite);
    constexpr std::size_t kKept = 10;
    if (list.size() > kKept) list.erase(list.begin(), list.end() - kKept);
  }
  ConferenceEvent e{0, "invite", b.id, b.number, b.owner, clock_.now(), std::nullopt, false, state};
  e.invite = std::move(invite);
  emit(std::move(e));
}

namespace {
bool pending_invite_of(const Call& c, BookingId booking) {
  return c.core.kind() == CallCore::Kind::kInvite && c.direct && c.direct->id == booking &&
         c.core.before_conference();
}
}  // namespace

int ConferenceService::Impl::invites_pending(BookingId booking) const {
  int n = 0;
  for (const auto& [id, c] : calls_)
    if (pending_invite_of(*c, booking)) ++n;
  return n;
}

void ConferenceService::Impl::drop_invites(BookingId booking) {
  std::vector<CallId> legs;
  for (const auto& [id, c] : calls_)
    if (pending_invite_of(*c, booking)) legs.push_back(id);
  for (CallId id : legs)
    if (Call* c = find_call(id)) hangup(*c, "conference-ended");
}

void ConferenceService::Impl::ended(CallId id, const std::string& cause) {
  Call* call = find_call(id);
  if (!call) return;
  log_->info("call={} ended: {}", id.value(), cause);
  run(id, call->core.ended(cause));
}

void ConferenceService::Impl::media_event(const media::Event& event) {
  if (const auto* d = std::get_if<media::DtmfEvent>(&event)) {
    if (Call* call = find_call_by_media(d->session)) dtmf(call->id, d->digit);
  } else if (const auto* p = std::get_if<media::PlayDone>(&event)) {
    if (p->session.valid()) {
      if (Call* call = find_call_by_media(p->session)) run(call->id, call->core.prompt_done(p->play_id));
    } else if (auto r = room_by_media_.find(p->room); r != room_by_media_.end()) {
      if (RoomLink* room = find_room(r->second))
        apply(r->second, room->room.closing_prompt_done(p->play_id, clock_.now()));
    }
  } else if (const auto* t = std::get_if<media::TalkingChanged>(&event)) {
    Call* call = find_call_by_media(t->session);
    if (!call || call->core.state() != CallCore::State::kInConference) return;
    if (RoomLink* room = find_room(call->booking))
      apply(call->booking, room->room.talking(call->participant, t->talking, clock_.now()));
  } else if (const auto* rec = std::get_if<media::RecordingDone>(&event)) {
    if (rec->session.valid()) {
      Call* call = find_call_by_media(rec->session);
      if (call && call->flow) call->flow->name_recorded(rec->path, rec->ok);
    } else if (!rec->ok) {
      log_->warn("recording {} failed: {}", rec->path, rec->error);
    }
  } else if (const auto* src = std::get_if<media::RtpSourceChanged>(&event)) {
    const Call* call = find_call_by_media(src->session);
    const auto id = call ? call->id.value() : 0;
    const char* what = src->rtcp ? "RTCP" : "RTP";
    if (src->latched) {
      log_->info("call={} {} now to and from {} (was {})", id, what, src->source,
                 src->previous.empty() ? "none" : src->previous);
    } else {
      log_->warn("call={} {} from {} dropped: not the caller's address {} (further ones are counted only)", id, what,
                 src->source, src->previous.empty() ? "(none yet)" : src->previous);
    }
  } else if (const auto* timeout = std::get_if<media::SessionTimeout>(&event)) {
    if (Call* call = find_call_by_media(timeout->session)) {
      log_->warn("call={} no RTP: hanging up", call->id.value());
      hangup(*call, "rtp-timeout");
    }
  }
}

std::vector<std::string> ConferenceService::Impl::files_for(const std::vector<std::string>& keys,
                                                            domain::Language language) {
  std::vector<std::string> files;
  for (const auto& key : keys) {
    if (key.starts_with('/')) {  // a WAV file made for this call (FlowHost::play)
      files.push_back(key);
      continue;
    }
    auto f = prompts_.files(key, language);
    if (!f) {
      log_->warn("prompt '{}' unavailable: {}", key, f.error().message);
      continue;
    }
    for (auto& file : *f) files.push_back(std::move(file));
  }
  return files;
}

void ConferenceService::Impl::play_keys(Call& call, const std::vector<std::string>& keys, std::uint64_t tag) {
  play_files(call, files_for(keys, call.language), tag);
}

void ConferenceService::Impl::play_files(Call& call, std::vector<std::string> files, std::uint64_t tag, bool loop) {
  call.core.playing(tag);
  media::PlaySpec spec{std::move(files), loop, tag};
  if (auto st = media_.play_to_session(call.media, std::move(spec)); !st) {
    log_->warn("call={} cannot play: {}", call.id.value(), st.error().message);
  }
}

void ConferenceService::Impl::arm(Call& call, CallTimer timer, std::chrono::milliseconds after) {
  disarm(call, timer);
  call.timers[timer] = loop_.add_timer_after(after, [this, id = call.id, timer] {
    Call* c = find_call(id);
    if (!c) return;
    c->timers.erase(timer);
    run(id, c->core.timer(timer));
  });
}

void ConferenceService::Impl::disarm(Call& call, CallTimer timer) {
  auto it = call.timers.find(timer);
  if (it == call.timers.end()) return;
  loop_.cancel_timer(it->second);
  call.timers.erase(it);
}

void ConferenceService::Impl::hangup(Call& call, const std::string& reason) { run(call.id, call.core.hang_up(reason)); }

// --- ConferenceService: posting facade

ConferenceService::ConferenceService(EventLoop& loop, WorkerPool& work, const Clock& clock, store::Store& store,
                                     booking::BookingService& bookings, directory::Directory& directory,
                                     media::MediaEngine& media, const ivr::PromptCatalog& prompts,
                                     ServiceOptions options)
    : access_numbers_(std::make_unique<AccessNumberTable>(loop, store)),
      impl_(std::make_unique<Impl>(*this, loop, work, clock, store, bookings, directory, media, prompts,
                                   std::move(options))) {
  if (auto st = access_numbers_->load(); !st)
    impl_->log_->error("access numbers not loaded, none routed until the console changes one: {}",
                       st.error().message);
}

ConferenceService::~ConferenceService() = default;

void ConferenceService::attach_sip(sip::SipEndpoint* sip) {
  impl_->on_loop<bool>([this, sip] { impl_->sip_ = sip; return true; }, false);
}

void ConferenceService::on_media_event(media::Event event) {
  impl_->loop_.post([impl = impl_.get(), event = std::move(event)] { impl->media_event(event); });
}
void ConferenceService::on_incoming(const sip::IncomingCall& call) {
  impl_->loop_.post([impl = impl_.get(), call] { impl->incoming(call); });
}
void ConferenceService::on_answered(CallId call, MediaSessionId session) {
  impl_->loop_.post([impl = impl_.get(), call, session] { impl->answered(call, session); });
}
void ConferenceService::on_dtmf(CallId call, char digit) {
  impl_->loop_.post([impl = impl_.get(), call, digit] { impl->dtmf(call, digit); });
}
void ConferenceService::on_progress(CallId call, int status, const std::string& reason) {
  impl_->loop_.post([impl = impl_.get(), call, status, reason] { impl->progress(call, status, reason); });
}
void ConferenceService::on_ended(CallId call, const std::string& cause) {
  impl_->loop_.post([impl = impl_.get(), call, cause] { impl->ended(call, cause); });
}

}  // namespace confpro::conference
