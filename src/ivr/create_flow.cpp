#include "ivr/create_flow.h"

namespace confpro::ivr {

namespace {
std::uint64_t g_create_tags = 2ull << 40;

// What a caller hears when the booking policy (B7) refuses them, before "goodbye".
std::string refusal_prompt(const Error& e) {
  return e.reason == "too_many_bookings" ? "too-many-conferences" : "not-allowed-to-create";
}

std::optional<int> to_int(const std::string& digits) {
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  return std::stoi(digits);
}
}  // namespace

CreateFlow::CreateFlow(FlowHost& host, const FlowOptions& options)
    : host_(host), options_(options), question_(host, options) {}

void CreateFlow::start() { ask(Step::kAccount); }

void CreateFlow::ask(Step step) {
  step_ = asking_ = step;
  tries_ = step == Step::kPin || step == Step::kAccount ? tries_ : 0;
  switch (step) {
    case Step::kAccount: question_.ask({"enter-account-number"}, 0); break;
    case Step::kPin: question_.ask({"enter-account-pin"}, 0); break;
    case Step::kDuration: question_.ask({"how-many-minutes"}, 0); break;
    case Step::kParticipants: question_.ask({"how-many-participants"}, 0); break;
    default: break;
  }
}

void CreateFlow::digit(char d) {
  if (step_ == Step::kAuthenticating || step_ == Step::kCreating) {
    typed_ahead_.push_back(d);
    return;
  }
  if (step_ == Step::kReadBack) {
    if (d == '1') read_back();
    return;
  }
  if (!asking()) return;
  if (question_.digit(d) == DigitQuestion::State::kAnswered) on_answer();
}

void CreateFlow::timeout() {
  if (step_ == Step::kReadBack) {
    message({"goodbye"}, true, "created");
    return;
  }
  if (!asking()) return;
  auto state = question_.timeout();
  if (state == DigitQuestion::State::kAnswered) on_answer();
  if (state == DigitQuestion::State::kSilent) message({"no-input", "goodbye"}, true, "no-input");
}

void CreateFlow::prompt_done(std::uint64_t tag) {
  if (asking()) {
    question_.prompt_done(tag);
    return;
  }
  if (tag != message_tag_) return;
  if (step_ == Step::kMessageThenAsk) {
    step_ = asking_;
    question_.reask();
  } else if (step_ == Step::kMessageThenHangup) {
    step_ = Step::kDone;
    host_.hangup(hangup_reason_);
  } else if (step_ == Step::kReadBack) {
    host_.start_timer(options_.first_digit_timeout);
  }
}

void CreateFlow::on_answer() {
  const std::string answer = question_.answer();
  switch (step_) {
    case Step::kAccount:
      account_ = answer.empty() ? host_.caller_number() : answer;
      ask(Step::kPin);
      return;
    case Step::kPin:
      step_ = Step::kAuthenticating;
      request_ = ++g_create_tags;
      host_.authenticate_creator(account_, answer, request_);
      return;
    case Step::kDuration: {
      auto v = answer.empty() ? std::optional<int>(creator_->default_duration_minutes) : to_int(answer);
      if (!v || *v <= 0) return message({"value-out-of-range"}, false);
      duration_ = *v;
      ask(Step::kParticipants);
      return;
    }
    case Step::kParticipants: {
      auto v = answer.empty() ? std::optional<int>(creator_->default_max_participants) : to_int(answer);
      if (!v || *v <= 0) return message({"value-out-of-range"}, false);
      participants_ = *v;
      step_ = Step::kCreating;
      request_ = ++g_create_tags;
      host_.create_booking(*creator_, duration_, participants_, request_);
      return;
    }
    default:
      return;
  }
}

void CreateFlow::creator_authenticated(std::uint64_t request, Result<PhoneCreator> who) {
  if (step_ != Step::kAuthenticating || request != request_) return;
  if (!who) {
    // The directory (LDAP) did not answer: not the caller's mistake, and asking again would only wait again.
    if (who.error().code == ErrorCode::kUnavailable)
      return message({"conference-not-created", "goodbye"}, true, "directory-unavailable");
    // Who they are is right, but the booking policy refuses them: said once, then the call ends.
    if (who.error().code == ErrorCode::kPermissionDenied)
      return message({refusal_prompt(who.error()), "goodbye"}, true, "not-allowed");
    if (++tries_ >= options_.max_tries) return message({"invalid-account", "goodbye"}, true, "wrong-account");
    asking_ = Step::kAccount;
    question_.set({"enter-account-number"}, 0);
    message({"invalid-account"}, false);
    return;
  }
  creator_ = *who;
  ask(Step::kDuration);
  replay_typed_ahead();
}

void CreateFlow::booking_created(std::uint64_t request, Result<domain::Booking> booking) {
  if (step_ != Step::kCreating || request != request_) return;
  if (!booking) {
    if (booking.error().code == ErrorCode::kInvalidArgument) {
      // Duration or size outside what the policy allows: ask the duration again.
      asking_ = Step::kDuration;
      question_.set({"how-many-minutes"}, 0);
      return message({"value-out-of-range"}, false);
    }
    if (booking.error().code == ErrorCode::kPermissionDenied)
      return message({refusal_prompt(booking.error()), "goodbye"}, true, "not-allowed");
    return message({"conference-not-created", "goodbye"}, true, "create-failed");
  }
  created_ = *booking;
  read_back();
  replay_typed_ahead();
}

void CreateFlow::replay_typed_ahead() {
  const std::string typed = std::move(typed_ahead_);
  typed_ahead_.clear();
  for (char d : typed) digit(d);  // a '#' among them answers again: later digits wait for that answer
}

void CreateFlow::read_back() {
  step_ = Step::kReadBack;
  std::vector<std::string> keys{"conference-created"};
  for (auto& k : host_.describe_booking(*created_)) keys.push_back(std::move(k));
  keys.push_back("press-1-to-repeat");
  message_tag_ = ++g_create_tags;
  host_.cancel_timer();
  host_.play(keys, message_tag_);
}

void CreateFlow::message(std::vector<std::string> keys, bool then_hangup, const std::string& reason) {
  typed_ahead_.clear();  // typed before hearing the message: not an answer to the question asked again
  step_ = then_hangup ? Step::kMessageThenHangup : Step::kMessageThenAsk;
  hangup_reason_ = reason;
  message_tag_ = ++g_create_tags;
  host_.cancel_timer();
  host_.play(keys, message_tag_);
}

}  // namespace confpro::ivr
