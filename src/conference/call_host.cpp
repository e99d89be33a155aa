#include "conference/call_host.h"

#include <filesystem>

#include "domain/booking_rules.h"
#include "domain/phone.h"
#include "ivr/say.h"

namespace confpro::conference {

Call& CallHost::call() const {
  Call* c = s_.find_call(call_);
  assert(c && "a flow outlived its call");
  return *c;
}

namespace {
// Runs `answer` if call `id` still exists and still runs `flow` in the IVR: a caller who hung up (or entered,
// or was refused) while a slow question ran gets no answer.
void answer_call(ConferenceService::Impl& s, CallId id, const ivr::Flow* flow,
                 const std::function<void(CallHost&, ivr::Flow&)>& answer) {
  Call* c = s.find_call(id);
  if (!c || !c->flow || c->flow.get() != flow || c->core.state() != CallCore::State::kIvr || !c->host) {
    s.log_->info("call={} an answer came back for a call that ended or moved on: dropped", id.value());
    return;
  }
  answer(static_cast<CallHost&>(*c->host), *c->flow);
}
}  // namespace

template <typename T>
void CallHost::ask(std::function<T()> work, std::function<void(CallHost&, ivr::Flow&, T)> answer) {
  ConferenceService::Impl* s = &s_;
  const CallId id = call_;
  const ivr::Flow* flow = call().flow.get();
  auto done = [s, id, flow, answer = std::move(answer)](T result) {
    answer_call(*s, id, flow, [&](CallHost& host, ivr::Flow& f) { answer(host, f, std::move(result)); });
  };
  if (!s_.work_.then<T>(s_.loop_, std::move(work), std::move(done)))
    s_.log_->warn("call={} the worker pool has stopped: no answer (the service is stopping)", id.value());
}

void CallHost::answer_soon(Answer answer) {
  ConferenceService::Impl* s = &s_;
  const CallId id = call_;
  const ivr::Flow* flow = call().flow.get();
  s_.loop_.post([s, id, flow, answer = std::move(answer)] { answer_call(*s, id, flow, answer); });
}

void CallHost::play(const std::vector<std::string>& keys, std::uint64_t tag) { s_.play_keys(call(), keys, tag); }

void CallHost::stop_prompt() {
  Call& c = call();
  c.core.playing(0);
  (void)s_.media_.stop_playing_session(c.media);
}

void CallHost::start_timer(std::chrono::milliseconds delay) { s_.arm(call(), CallTimer::kFlow, delay); }
void CallHost::cancel_timer() { s_.disarm(call(), CallTimer::kFlow); }
void CallHost::hangup(const std::string& reason) { s_.hangup(call(), reason); }
domain::Language CallHost::language() const { return call().language; }
void CallHost::set_language(domain::Language language) { call().language = language; }
const std::string& CallHost::caller_number() const { return call().incoming.caller_number; }

void CallHost::find_booking(const std::string& number, std::uint64_t request) {
  ask<Result<domain::Booking>>([&bookings = s_.bookings_, number] { return bookings.get_by_number(number); },
                               [request](CallHost&, ivr::Flow& flow, Result<domain::Booking> found) {
                                 flow.booking_found(request, std::move(found));
                               });
}

void CallHost::check_pin(const domain::Booking& booking, const std::string& pin, std::uint64_t request) {
  if (auto check = decide_pin(booking, pin, false)) {
    answer_soon([request, check = *check](CallHost&, ivr::Flow& flow) { flow.pin_checked(request, check); });
    return;
  }
  // Closed to new callers for the first time since this server started knowing it: who entered it in earlier
  // runs counts too (a store read, off the loop).
  ConferenceService::Impl* s = &s_;
  using Numbers = std::optional<std::vector<std::string>>;
  ask<Numbers>([s, id = booking.id] { return s->numbers_that_entered(id); },
               [booking, pin, request](CallHost& host, ivr::Flow& flow, Numbers numbers) {
                 if (numbers) host.s_.pin_throttle_.remember_history(booking.number, *numbers);
                 flow.pin_checked(request, *host.decide_pin(booking, pin, true));
               });
}

std::optional<ivr::PinCheck> CallHost::decide_pin(const domain::Booking& booking, const std::string& pin,
                                                  bool history_read) {
  ivr::PinCheck check;
  const auto now = s_.clock_.now();
  const std::string caller = caller_number().empty() ? std::string("anonymous") : caller_number();
  const bool invited = domain::matching_invitee(booking, caller, "", s_.options_.number_rules) != nullptr;
  const PinCaller who{caller, call().incoming.source_ip, call().incoming.trusted_peer};
  auto verdict = s_.pin_throttle_.check(booking.number, who, invited, now);
  if (verdict == PinThrottle::Verdict::kConferenceClosedToNewCallers &&
      !s_.pin_throttle_.history_loaded(booking.number) && !history_read)
    return std::nullopt;
  switch (verdict) {
    case PinThrottle::Verdict::kAllowed:
      break;
    case PinThrottle::Verdict::kCallerLockedOut:
      check.locked_out = true;
      s_.log_->warn("conf={} call={} PIN refused: locked out (caller {} from {})", booking.number, call_.value(),
                    caller, who.source_ip);
      return check;
    case PinThrottle::Verdict::kConferenceClosedToNewCallers:
      check.locked_out = true;
      s_.log_->warn("conf={} call={} PIN refused: locked out (conference closed to new callers; caller {} from {})",
                    booking.number, call_.value(), caller, who.source_ip);
      return check;
  }
  check.role = domain::role_for_pin(booking, pin);
  if (check.role) {
    s_.pin_throttle_.success(booking.number, who);
    return check;
  }
  s_.log_->info("conf={} call={} wrong PIN from caller {} at {}", booking.number, call_.value(), caller, who.source_ip);
  const auto failed = s_.pin_throttle_.failure(booking.number, who, now);
  switch (failed.tripped) {
    case PinThrottle::Tripped::kNone:
      break;
    case PinThrottle::Tripped::kCaller: {
      const std::string key = s_.pin_throttle_.source_key(booking.number, who);
      s_.log_->warn("conf={} call={} PIN lockout of {} (caller {}) for {} s", booking.number, call_.value(), key,
                    caller, failed.lockout.count());
      s_.audit("system", "pin.lockout", key,
               "caller " + caller + " after repeated wrong PINs on conference " + booking.number);
      break;
    }
    case PinThrottle::Tripped::kConference:
      s_.log_->warn("conf={} call={} PIN lockout of the conference for new callers for {} s", booking.number,
                    call_.value(), failed.lockout.count());
      s_.audit("system", "pin.lockout", "conference:" + booking.number,
               "closed to new callers after repeated wrong PINs");
      break;
  }
  return check;
}

domain::JoinOutcome CallHost::admit(const domain::Booking& booking, domain::Role role, const std::string& pin) {
  call().pin = pin;  // entering names the invitee whose personal PIN this is
  return s_.admit(booking, role, pin, caller_number());
}

void CallHost::record_name(int max_ms) {
  Call& c = call();
  std::error_code ec;
  std::filesystem::create_directories(s_.options_.names_dir, ec);
  c.name_file = s_.options_.names_dir + "/name-" + std::to_string(c.id.value()) + ".wav";
  if (auto st = s_.media_.record_session(c.media, c.name_file, max_ms); !st) {
    s_.log_->warn("call={} name recording failed: {}", c.id.value(), st.error().message);
    c.flow->name_recorded("", false);
  }
}

void CallHost::enter_conference(const domain::Booking& booking, domain::Role role, const std::string& name_file) {
  s_.enter(call(), booking, role, name_file);
  if (Call* c = s_.find_call(call_)) s_.run(call_, c->core.invite_joined());
}

void CallHost::authenticate_creator(const std::string& account, const std::string& pin, std::uint64_t request) {
  // argon2id (tens of ms, 64 MiB) and store reads: on a worker.
  auto work = [&directory = s_.directory_, &bookings = s_.bookings_, log = s_.log_, account,
               pin]() -> Result<ivr::PhoneCreator> {
    auto user = directory.authenticate_phone(account, pin);
    if (!user) return user.error();
    // The booking policy (B7) answers before anything is asked: a refused category, too many bookings in
    // force or payment needed is said now (kPermissionDenied, with its reason), and the defaults offered by
    // '#' are the category's.
    const booking::Actor actor{user->username, user->is_admin(), "phone", user->groups};
    auto decision = bookings.precheck(actor);
    if (!decision) return decision.error();
    if (!decision->allowed()) {
      log->info("creation by phone by {} refused: {} (category {})", user->username, decision->reason,
                decision->category);
      return domain::to_error(*decision);
    }
    const domain::ConferenceLimits limits = bookings.limits_for(actor);
    ivr::PhoneCreator creator;
    creator.username = user->username;
    creator.admin = actor.admin;
    creator.groups = user->groups;
    creator.default_duration_minutes =
        user->phone_default_duration_minutes > 0
            ? std::min(user->phone_default_duration_minutes, limits.max_duration_minutes)
            : limits.default_duration_minutes;
    creator.default_max_participants =
        user->phone_default_max_participants > 0
            ? std::min(user->phone_default_max_participants, limits.max_participants)
            : limits.default_max_participants;
    return creator;
  };
  ask<Result<ivr::PhoneCreator>>(std::move(work),
                                 [request](CallHost&, ivr::Flow& flow, Result<ivr::PhoneCreator> creator) {
                                   flow.creator_authenticated(request, std::move(creator));
                                 });
}

void CallHost::create_booking(const ivr::PhoneCreator& creator, int duration_minutes, int max_participants,
                              std::uint64_t request) {
  Call& c = call();
  domain::BookingDraft draft;
  // A unique, readable name: the creator and the time of the call.
  draft.name = "phone " + creator.username + " " + std::to_string(to_epoch_ms(s_.clock_.now()));
  draft.owner = creator.username;
  draft.duration_minutes = duration_minutes;
  draft.max_participants = max_participants;
  draft.language = domain::to_string(c.language);
  draft.created_via = "phone";
  if (!c.access_number.empty()) draft.access_number = c.access_number;
  booking::Actor actor{creator.username, creator.admin, "phone", creator.groups};
  // The booking write (a transaction with fsync): on a worker.
  auto work = [&bookings = s_.bookings_, log = s_.log_, draft, actor, id = c.id] {
    auto b = bookings.create(draft, actor);
    if (b) log->info("conf={} call={} created by phone by {}", b->number, id.value(), actor.username);
    return b;
  };
  ask<Result<domain::Booking>>(std::move(work),
                               [request](CallHost&, ivr::Flow& flow, Result<domain::Booking> booking) {
                                 flow.booking_created(request, std::move(booking));
                               });
}

std::vector<std::string> CallHost::describe_booking(const domain::Booking& booking) {
  // The creator by phone has no other way to learn the PINs (issue 12): read them back unless turned off.
  return s_.describe(booking, call().language, s_.options_.read_back_pins);
}

std::vector<std::string> CallHost::say_number(int n) {
  auto keys = ivr::number_keys(n, call().language);
  return keys ? *keys : std::vector<std::string>{};
}

}  // namespace confpro::conference
