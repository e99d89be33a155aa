#include "ivr/join_flow.h"

namespace confpro::ivr {

namespace {
constexpr std::uint64_t kMessageTagBase = 1ull << 40;
std::uint64_t g_message_tags = kMessageTagBase;
}  // namespace

JoinFlow::JoinFlow(FlowHost& host, const FlowOptions& options, std::optional<domain::Booking> known)
    : host_(host), options_(options), question_(host, options), booking_(std::move(known)) {}

void JoinFlow::start() {
  if (booking_) {
    host_.set_language(booking_->language);
    ask_pin();
  } else {
    step_ = asking_ = Step::kNumber;
    question_.ask({"enter-conference-number"}, 0);
  }
}

void JoinFlow::digit(char d) {
  if (step_ == Step::kFindingBooking || step_ == Step::kCheckingPin) {
    typed_ahead_.push_back(d);
    return;
  }
  if (step_ != Step::kNumber && step_ != Step::kPin) return;
  if (question_.digit(d) == DigitQuestion::State::kAnswered) on_answer();
}

void JoinFlow::timeout() {
  if (step_ != Step::kNumber && step_ != Step::kPin) return;
  auto state = question_.timeout();
  if (state == DigitQuestion::State::kAnswered) on_answer();
  if (state == DigitQuestion::State::kSilent) goodbye("no-input", {"no-input", "goodbye"});
}

void JoinFlow::prompt_done(std::uint64_t tag) {
  if (step_ == Step::kNumber || step_ == Step::kPin) {
    question_.prompt_done(tag);
    return;
  }
  if (tag != message_tag_) return;
  switch (step_) {
    case Step::kMessageThenAsk:
      step_ = asking_;
      question_.reask();
      break;
    case Step::kMessageThenHangup:
      step_ = Step::kDone;
      host_.hangup(hangup_reason_);
      break;
    case Step::kNamePrompt:
      step_ = Step::kRecordingName;
      host_.record_name(options_.name_max_ms);
      break;
    default:
      break;
  }
}

void JoinFlow::name_recorded(const std::string& file, bool ok) {
  if (step_ != Step::kRecordingName) return;
  step_ = Step::kDone;
  host_.enter_conference(*booking_, role_, ok ? file : "");
}

void JoinFlow::on_answer() {
  const std::string answer = question_.answer();
  if (step_ == Step::kNumber) on_number(answer);
  else on_pin(answer);
}

void JoinFlow::on_number(const std::string& number) {
  ++number_tries_;
  step_ = Step::kFindingBooking;
  request_ = ++g_message_tags;
  if (number.empty()) return booking_found(request_, Error::not_found("empty"));
  host_.find_booking(number, request_);
}

void JoinFlow::booking_found(std::uint64_t request, Result<domain::Booking> found) {
  if (step_ != Step::kFindingBooking || request != request_) return;
  if (!found) {
    if (number_tries_ >= options_.max_tries) return goodbye("unknown-conference", {"conference-unknown", "goodbye"});
    return message({"conference-unknown"}, false);
  }
  booking_ = *found;
  host_.set_language(booking_->language);
  ask_pin();
  replay_typed_ahead();
}

void JoinFlow::replay_typed_ahead() {
  if (step_ != Step::kNumber && step_ != Step::kPin) {
    typed_ahead_.clear();
    return;
  }
  const std::string typed = std::move(typed_ahead_);
  typed_ahead_.clear();
  for (char d : typed) digit(d);  // a '#' among them answers again: later digits wait for that answer
}

void JoinFlow::ask_pin() {
  // Refuse early what no PIN can change (issue 12: a caller dialling an ended conference's own number was asked
  // for a PIN first, then told it had ended).
  const auto outcome = host_.admit(*booking_, domain::Role::kModerator, "");
  if (outcome == domain::JoinOutcome::kNotYetValid || outcome == domain::JoinOutcome::kEnded) {
    const Refusal refusal = refusal_for(outcome);
    return goodbye(refusal.reason, {refusal.prompt, "goodbye"});
  }
  step_ = asking_ = Step::kPin;
  question_.ask({"enter-pin"}, 0);
}

void JoinFlow::on_pin(const std::string& pin) {
  ++pin_tries_;
  pin_ = pin;
  step_ = Step::kCheckingPin;
  request_ = ++g_message_tags;
  host_.check_pin(*booking_, pin, request_);
}

void JoinFlow::pin_checked(std::uint64_t request, PinCheck check) {
  if (step_ != Step::kCheckingPin || request != request_) return;
  if (check.locked_out) return goodbye("pin-locked-out", {"too-many-failures", "goodbye"});
  if (!check.role) {
    if (pin_tries_ >= options_.max_tries) return goodbye("wrong-pin", {"invalid-pin", "too-many-failures", "goodbye"});
    return message({"invalid-pin"}, false);
  }
  role_ = *check.role;
  after_role();
}

void JoinFlow::after_role() {
  if (const Refusal refusal = refusal_for(host_.admit(*booking_, role_, pin_)); !refusal.reason.empty())
    return goodbye(refusal.reason, {refusal.prompt, "goodbye"});
  const bool announce = role_ == domain::Role::kModerator ? booking_->options.announce_moderator
                                                          : booking_->options.announce_users;
  if (announce) {
    step_ = Step::kNamePrompt;
    message_tag_ = ++g_message_tags;
    host_.cancel_timer();
    host_.play({"record-name", "beep"}, message_tag_);
    return;
  }
  step_ = Step::kDone;
  host_.cancel_timer();
  host_.enter_conference(*booking_, role_, "");
}

void JoinFlow::message(std::vector<std::string> keys, bool then_hangup, const std::string& reason) {
  typed_ahead_.clear();  // typed before hearing the message: not an answer to the question asked again
  step_ = then_hangup ? Step::kMessageThenHangup : Step::kMessageThenAsk;
  hangup_reason_ = reason;
  message_tag_ = ++g_message_tags;
  host_.cancel_timer();
  host_.play(keys, message_tag_);
}

void JoinFlow::goodbye(const std::string& reason, std::vector<std::string> keys) { message(std::move(keys), true, reason); }

}  // namespace confpro::ivr
