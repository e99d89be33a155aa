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
  for (const auto& [id, c] : calls_) {
    if (c->kind != Call::Kind::kInvite && c->incoming.source_ip == ip &&
        (c->state == Call::State::kRinging || c->state == Call::State::kIvr)) {
      ++n;
    }
  }
  return n;
}

namespace {
void not_found(ConferenceService::Impl& s, const sip::IncomingCall& in) {
  s.log_->info("call={} from {} to {}: no such access or conference number → 404", in.call.value(), in.caller_number,
               in.dialled);
  s.sip_->reject(in.call, 404, "Not Found");
}
}  // namespace

void ConferenceService::Impl::incoming(const sip::IncomingCall& in) {
  if (stopping_ || !sip_) return;
  if (options_.max_ivr_calls_per_source > 0 && !in.trusted_peer && !in.source_ip.empty() &&
      calls_before_conference(in.source_ip) >= options_.max_ivr_calls_per_source) {
    log_->warn("call={} from {}: {} calls from this source in the IVR already → 503", in.call.value(),
               in.source_ip, options_.max_ivr_calls_per_source);
    sip_->reject(in.call, 503, "Too Many Calls From Source");
    return;
  }
  auto call = std::make_unique<Call>();
  call->id = in.call;
  call->incoming = in;
  const std::string& dialled = in.dialled_digits.empty() ? in.dialled : in.dialled_digits;
  if (const store::AccessNumber* route = owner_.access_numbers_->find(dialled)) {
    call->kind = Call::Kind::kAccessNumber;
    call->language = route->language;
    call->access_number = route->number;
  }
  if (call->access_number.empty()) {
    if (dialled.empty()) return not_found(*this, in);
    // A conference number: its booking is read on a worker. The call waits, ringing, in calls_ (a CANCEL
    // meanwhile ends it there: ended()); routed() accepts it or answers 404.
    call->routing = true;
    calls_[in.call] = std::move(call);
    auto work = [&bookings = bookings_, number = dialled] { return bookings.get_by_number(number); };
    auto done = [this, id = in.call](Result<domain::Booking> booking) { routed(id, std::move(booking)); };
    if (!work_.then<Result<domain::Booking>>(loop_, std::move(work), std::move(done)))
      routed(in.call, Error::unavailable("the worker pool has stopped"));
    return;
  }
  calls_[in.call] = std::move(call);
  accept(*calls_[in.call]);
}

void ConferenceService::Impl::routed(CallId id, Result<domain::Booking> booking) {
  Call* call = find_call(id);
  if (!call || !call->routing) return;  // ended (CANCEL) during the look-up
  call->routing = false;
  if (stopping_ || !sip_ || call->state != Call::State::kRinging) return;  // hung up meanwhile (stop)
  if (!booking) {
    not_found(*this, call->incoming);
    calls_.erase(id);  // refused, never accepted: the end SIP reports next finds nothing to close
    return;
  }
  call->kind = Call::Kind::kDirect;
  call->language = booking->language;
  call->direct = *booking;
  accept(*call);
}

void ConferenceService::Impl::accept(Call& call) {
  const sip::IncomingCall& in = call.incoming;
  log_->info("call={} from {} to {} ({}) codec={} remote={}", in.call.value(),
             in.caller_number.empty() ? "anonymous" : in.caller_number, in.dialled,
             call.kind == Call::Kind::kDirect ? "conference" : "access number", media::to_string(in.codec.kind),
             in.remote_address);
  // A caller of a live conference's own number gets its media session on that room's worker.
  RoomId near;
  if (call.direct)
    if (const RoomLink* room = find_room(call.direct->id)) near = room->media_room;
  sip_->accept(in.call, near);
}

void ConferenceService::Impl::answered(CallId id, MediaSessionId session) {
  Call* call = find_call(id);
  if (!call) return;
  call->media = session;
  call_by_media_[session] = id;
  call->state = Call::State::kIvr;
  call->host = std::make_unique<CallHost>(*this, id);
  switch (call->kind) {
    case Call::Kind::kAccessNumber:
      call->flow = std::make_unique<ivr::MenuFlow>(*call->host, options_.flow);
      break;
    case Call::Kind::kDirect:
      call->flow = std::make_unique<ivr::JoinFlow>(*call->host, options_.flow, call->direct);
      break;
    case Call::Kind::kInvite:
      // The invited person hears who invites them to what, and joins only by pressing 1 (ivr/invite_flow.h).
      call->flow = std::make_unique<ivr::InviteFlow>(*call->host, options_.flow, *call->direct, call->intro);
      call->answered = true;
      if (admit(*call->direct, domain::Role::kUser, "", "") == domain::JoinOutcome::kEnded) {
        // Answered after the conference ended: nothing to invite to (and no room is made again for it).
        call->flow.reset();
        hangup(*call, "conference-ended");
        return;
      }
      invite_update(*call, "answered");
      break;
  }
  call->flow->start();
}

void ConferenceService::Impl::dtmf(CallId id, char digit) {
  Call* call = find_call(id);
  if (!call) return;
  log_->debug("call={} digit {}", id.value(), digit);
  if (call->state == Call::State::kIvr && call->flow) {
    call->flow->digit(digit);
  } else if (call->state == Call::State::kInConference) {
    in_call_key(*call, digit);
  }
}

void ConferenceService::Impl::progress(CallId id, int status, const std::string& reason) {
  Call* call = find_call(id);
  if (!call || call->kind != Call::Kind::kInvite || call->state != Call::State::kRinging) return;
  log_->debug("call={} invite progress {} {}", id.value(), status, reason);
  if (status == 180 || status == 183) invite_update(*call, "ringing");  // failures: ended() says how it ended
}

void ConferenceService::Impl::invite_update(const Call& call, const std::string& state,
                                            const std::string& reason) {
  if (call.kind != Call::Kind::kInvite || !call.direct) return;
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

int ConferenceService::Impl::invites_pending(BookingId booking) const {
  int n = 0;
  for (const auto& [id, c] : calls_)
    if (c->kind == Call::Kind::kInvite && c->direct && c->direct->id == booking &&
        (c->state == Call::State::kRinging || c->state == Call::State::kIvr))
      ++n;
  return n;
}

void ConferenceService::Impl::drop_invites(BookingId booking) {
  std::vector<CallId> legs;
  for (const auto& [id, c] : calls_)
    if (c->kind == Call::Kind::kInvite && c->direct && c->direct->id == booking &&
        (c->state == Call::State::kRinging || c->state == Call::State::kIvr))
      legs.push_back(id);
  for (CallId id : legs)
    if (Call* c = find_call(id)) hangup(*c, "conference-ended");
}

namespace {
// How an invite that never joined ended, from the cause of the call's end and our own hang-up reason.
std::pair<std::string, std::string> invite_outcome(const Call& call, const std::string& cause) {
  const std::string& ours = call.end_cause;
  if (ours.rfind("invite-refused-", 0) == 0) return {"refused", ours.substr(15)};
  if (ours == "invite-no-answer") return {"no-answer", "no-key"};
  if (ours == "conference-ended") return {"refused", "ended"};
  if (ours == "refused") return {"refused", "refused"};  // enter() found it closed meanwhile
  if (call.answered) return {"refused", "hung-up"};      // hung up during the intro
  if (cause == "timeout" || cause == "sip-408" || cause == "sip-480" || cause == "sip-487")
    return {"no-answer", cause};
  return {"failed", cause};
}
}  // namespace

void ConferenceService::Impl::ended(CallId id, const std::string& cause) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  log_->info("call={} ended: {}", id.value(), cause);
  cancel_call_timer(call);
  if (call.state == Call::State::kInConference || call.booking.valid()) {
    leave(call, call.end_cause.empty() ? (cause == "caller-bye" ? "hangup" : cause) : call.end_cause);
  }
  if (call.kind == Call::Kind::kInvite && !call.joined) {
    auto [state, reason] = invite_outcome(call, cause);
    invite_update(call, state, reason);
  }
  if (!call.name_file.empty()) {
    std::error_code ec;
    std::filesystem::remove(call.name_file, ec);
  }
  if (call.media.valid()) call_by_media_.erase(call.media);
  calls_.erase(it);
}

void ConferenceService::Impl::media_event(const media::Event& event) {
  if (const auto* d = std::get_if<media::DtmfEvent>(&event)) {
    if (Call* call = find_call_by_media(d->session)) dtmf(call->id, d->digit);
  } else if (const auto* p = std::get_if<media::PlayDone>(&event)) {
    if (p->session.valid()) {
      Call* call = find_call_by_media(p->session);
      if (!call || p->play_id == 0 || p->play_id != call->playing_tag) return;
      call->playing_tag = 0;
      if (call->state == Call::State::kIvr && call->flow) call->flow->prompt_done(p->play_id);
    } else if (auto r = room_by_media_.find(p->room); r != room_by_media_.end()) {
      if (RoomLink* room = find_room(r->second))
        apply(r->second, room->room.closing_prompt_done(p->play_id, clock_.now()));
    }
  } else if (const auto* t = std::get_if<media::TalkingChanged>(&event)) {
    Call* call = find_call_by_media(t->session);
    if (!call || call->state != Call::State::kInConference) return;
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
  call.playing_tag = tag;
  media::PlaySpec spec{std::move(files), loop, tag};
  if (auto st = media_.play_to_session(call.media, std::move(spec)); !st) {
    log_->warn("call={} cannot play: {}", call.id.value(), st.error().message);
  }
}

void ConferenceService::Impl::start_call_timer(Call& call, std::chrono::milliseconds delay) {
  cancel_call_timer(call);
  CallId id = call.id;
  call.timer = loop_.add_timer_after(delay, [this, id] {
    Call* c = find_call(id);
    if (!c) return;
    c->timer = 0;
    if (c->state == Call::State::kIvr && c->flow) c->flow->timeout();
  });
}

void ConferenceService::Impl::cancel_call_timer(Call& call) {
  if (call.timer) loop_.cancel_timer(call.timer);
  call.timer = 0;
}

void ConferenceService::Impl::hangup(Call& call, const std::string& reason) {
  if (call.state == Call::State::kLeaving) return;
  call.end_cause = reason;
  call.state = Call::State::kLeaving;  // leave() runs when the SIP side reports the end
  cancel_call_timer(call);
  if (sip_) sip_->hangup(call.id, reason);
}

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
