// Creating a conference by phone (FEATURES.md I3): identify the caller (account number keyed in, or '#' alone
// for the caller's own number), check the numeric PIN through the directory, ask the duration and the maximum
// participants ('#' alone takes the caller's defaults), create the booking under the booking policy, then read
// back the conference number digit by digit, the validity end and the max participants; '1' repeats.
// Checking the account and PIN (argon2id) and creating the booking are the host's slow questions (flow.h): while
// one runs the flow waits; digits typed meanwhile go to the next question (or the read-back), or are dropped when
// the answer is a refusal.
// Thread safety: the control loop only.
#pragma once

#include <optional>

#include "ivr/flow.h"
#include "ivr/flow_digits.h"

namespace confpro::ivr {

class CreateFlow final : public Flow {
 public:
  CreateFlow(FlowHost& host, const FlowOptions& options);

  void start() override;
  void digit(char d) override;
  void prompt_done(std::uint64_t tag) override;
  void timeout() override;
  void creator_authenticated(std::uint64_t request, Result<PhoneCreator> creator) override;
  void booking_created(std::uint64_t request, Result<domain::Booking> booking) override;

 private:
  enum class Step { kAccount, kPin, kAuthenticating, kDuration, kParticipants, kCreating, kMessageThenAsk,
                    kMessageThenHangup, kReadBack, kDone };
  bool asking() const {
    return step_ == Step::kAccount || step_ == Step::kPin || step_ == Step::kDuration ||
           step_ == Step::kParticipants;
  }
  void on_answer();
  void ask(Step step);
  void message(std::vector<std::string> keys, bool then_hangup, const std::string& reason = "");
  void read_back();
  void replay_typed_ahead();

  FlowHost& host_;
  const FlowOptions& options_;
  DigitQuestion question_;
  Step step_ = Step::kAccount;
  Step asking_ = Step::kAccount;
  std::string account_;
  std::optional<PhoneCreator> creator_;
  int duration_ = 0;
  int participants_ = 0;
  std::optional<domain::Booking> created_;
  int tries_ = 0;
  std::uint64_t message_tag_ = 0;
  std::string hangup_reason_;
  std::uint64_t request_ = 0;  // the host's answer the flow waits for (kAuthenticating, kCreating)
  std::string typed_ahead_;    // digits typed while waiting
};

}  // namespace confpro::ivr
