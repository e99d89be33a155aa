// Joining a conference by phone (FEATURES.md I2, B5, B8): conference number + '#' (3 tries), PIN + '#'
// (3 tries, role from the PIN, failures counted by the host for the lockout), refusals with the right prompt
// (unknown, not yet valid, ended, full, locked, not on the allow-list), the optional name recording (announce),
// then hand-over to the conference. A caller who dialled a conference number directly starts at the PIN (after the same early refusals).
// The booking look-up and the PIN check are the host's slow questions (flow.h): while one runs the flow waits;
// digits typed meanwhile are kept and given to the next question (a caller typing number#PIN# in one go loses
// nothing), or dropped when the answer is a refusal; timers and prompt ends are ignored while waiting.
// Thread safety: the control loop only.
#pragma once

#include <optional>

#include "ivr/flow.h"
#include "ivr/flow_digits.h"

namespace confpro::ivr {

class JoinFlow final : public Flow {
 public:
  // `known`: the conference the caller dialled directly (skips the number question).
  JoinFlow(FlowHost& host, const FlowOptions& options, std::optional<domain::Booking> known = std::nullopt);

  void start() override;
  void digit(char d) override;
  void prompt_done(std::uint64_t tag) override;
  void timeout() override;
  void name_recorded(const std::string& file, bool ok) override;
  void booking_found(std::uint64_t request, Result<domain::Booking> booking) override;
  void pin_checked(std::uint64_t request, PinCheck check) override;

 private:
  enum class Step { kNumber, kFindingBooking, kPin, kCheckingPin, kMessageThenAsk, kMessageThenHangup,
                    kNamePrompt, kRecordingName, kDone };

  void on_answer();
  void on_number(const std::string& number);
  // The PIN question, unless the conference has ended or is not yet valid (then why, and goodbye).
  void ask_pin();
  void on_pin(const std::string& pin);
  void after_role();
  // Plays `keys`; then either asks the current question again or hangs up.
  void message(std::vector<std::string> keys, bool then_hangup, const std::string& reason = "");
  void goodbye(const std::string& reason, std::vector<std::string> keys);
  // Gives the digits typed while waiting for an answer to the question just asked.
  void replay_typed_ahead();

  FlowHost& host_;
  const FlowOptions& options_;
  DigitQuestion question_;
  std::optional<domain::Booking> booking_;
  domain::Role role_ = domain::Role::kUser;
  std::string pin_;
  Step step_ = Step::kNumber;
  Step asking_ = Step::kNumber;  // the question to return to after a message
  int number_tries_ = 0;
  int pin_tries_ = 0;
  std::uint64_t message_tag_ = 0;
  std::string hangup_reason_;
  std::uint64_t request_ = 0;  // the host's answer the flow waits for (kFindingBooking, kCheckingPin)
  std::string typed_ahead_;    // digits typed while waiting
};

}  // namespace confpro::ivr
