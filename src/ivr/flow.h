// Per-call IVR flows (FEATURES.md I2, I3) as explicit state machines driven by events: a digit, a prompt that
// finished, the call's one timer, a name recording done. A flow decides; its FlowHost (the conference service)
// carries out the effects — playing prompts, timers, hanging up, looking up and admitting — so flows are tested
// with a fake host, without SIP, media or a database (STYLE.md #4, #5).
// Thread safety: the control loop only. Host calls made from a flow may not call back into the flow
// synchronously (events arrive later, posted).
// Slow questions (a booking by number, a PIN check, the creator's account and PIN, creating a booking) touch the
// store or hash a password: the host runs them off the control loop and answers later with the matching Flow
// event, carrying the request number the flow gave. A flow waits for at most one answer at a time and ignores
// an answer that is not the one it waits for; the host drops the answer of a call that ended meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/booking.h"
#include "domain/lifecycle.h"

namespace confpro::ivr {

// Why a caller cannot enter a conference (domain::can_join's outcome): the reason code the call ends with
// ("locked", "full", …) and the prompt that says it; for kOk: {"", ""}. One table for every flow and the
// conference service.
struct Refusal {
  std::string reason;
  std::string prompt;
};
inline Refusal refusal_for(domain::JoinOutcome outcome) {
  switch (outcome) {
    case domain::JoinOutcome::kOk:
      return {"", ""};
    case domain::JoinOutcome::kNotYetValid:
      return {"not-yet-valid", "conference-not-yet-valid"};
    case domain::JoinOutcome::kEnded:
      return {"ended", "conference-ended"};
    case domain::JoinOutcome::kFull:
      return {"full", "conference-full"};
    case domain::JoinOutcome::kLocked:
      return {"locked", "conference-locked"};
    case domain::JoinOutcome::kNotAllowed:
      return {"not-allowed", "not-on-allow-list"};
  }
  return {"refused", "conference-locked"};
}

// Result of a PIN check by the host (it counts failures per caller and per conference: abuse lockout).
struct PinCheck {
  std::optional<domain::Role> role;  // nullopt: wrong PIN
  bool locked_out = false;           // too many failures recently for this caller or conference
};

// What the caller creating a conference by phone is allowed (I3).
struct PhoneCreator {
  std::string username;
  int default_duration_minutes = 60;
  int default_max_participants = 10;
  bool admin = false;                    // not limited by booking categories (B7)
  std::vector<std::string> groups = {};  // directory group DNs: the booking category (B7)
};

// Effects of a flow, carried out by the conference service for one call.
class FlowHost {
 public:
  virtual ~FlowHost() = default;
  // Plays prompt keys (catalog keys like "enter-pin" or "digits/4") in order; prompt_done(tag) follows
  // unless stopped. Replaces whatever was playing to the caller. A key starting with '/' is the absolute path of
  // a WAV file to play as it is (speech made for one call, e.g. a conference's name).
  virtual void play(const std::vector<std::string>& keys, std::uint64_t tag) = 0;
  virtual void stop_prompt() = 0;
  // The call's one timer; starting replaces the previous one; timeout() follows.
  virtual void start_timer(std::chrono::milliseconds delay) = 0;
  virtual void cancel_timer() = 0;
  virtual void hangup(const std::string& reason) = 0;

  virtual domain::Language language() const = 0;
  virtual void set_language(domain::Language language) = 0;
  virtual const std::string& caller_number() const = 0;

  // Join (I2). Answers: Flow::booking_found (kNotFound for no such conference), Flow::pin_checked.
  virtual void find_booking(const std::string& number, std::uint64_t request) = 0;
  virtual void check_pin(const domain::Booking& booking, const std::string& pin, std::uint64_t request) = 0;
  // Whether the caller may enter now (window, ended, locked, full, allow-list); does not enter.
  virtual domain::JoinOutcome admit(const domain::Booking& booking, domain::Role role, const std::string& pin) = 0;
  // Records the caller's name (after the beep the flow played) for up to max_ms; name_recorded() follows.
  virtual void record_name(int max_ms) = 0;
  // Hands the call to the conference; the flow is done after this.
  virtual void enter_conference(const domain::Booking& booking, domain::Role role, const std::string& name_file) = 0;

  // Create by phone (I3). Answers: Flow::creator_authenticated, Flow::booking_created.
  virtual void authenticate_creator(const std::string& account, const std::string& pin, std::uint64_t request) = 0;
  virtual void create_booking(const PhoneCreator& creator, int duration_minutes, int max_participants,
                              std::uint64_t request) = 0;
  // Keys that say a conference's details: number digit by digit, validity end, max participants.
  virtual std::vector<std::string> describe_booking(const domain::Booking& booking) = 0;
  // Keys that say a number ("how many") in the call's language.
  virtual std::vector<std::string> say_number(int n) = 0;
};

// Timing and tries (from [ivr]).
struct FlowOptions {
  std::chrono::milliseconds digit_timeout{5000};        // after a digit: the entry is complete
  std::chrono::milliseconds first_digit_timeout{10000}; // after the prompt: nothing typed → re-prompt
  int max_tries = 3;                                    // per question
  int max_silences = 2;                                 // re-prompts for silence before goodbye
  int name_max_ms = 3000;
  std::chrono::milliseconds invite_answer_timeout{10000};  // invited by number: silence after the intro before
                                                           // it is said again, then the call ends (no 1)
};

class Flow {
 public:
  virtual ~Flow() = default;
  virtual void start() = 0;
  virtual void digit(char d) = 0;
  virtual void prompt_done(std::uint64_t tag) = 0;
  virtual void timeout() = 0;
  virtual void name_recorded(const std::string& /*file*/, bool /*ok*/) {}
  // Answers of the host's slow questions (FlowHost::find_booking, …), `request` as asked.
  virtual void booking_found(std::uint64_t /*request*/, Result<domain::Booking> /*booking*/) {}
  virtual void pin_checked(std::uint64_t /*request*/, PinCheck /*check*/) {}
  virtual void creator_authenticated(std::uint64_t /*request*/, Result<PhoneCreator> /*creator*/) {}
  virtual void booking_created(std::uint64_t /*request*/, Result<domain::Booking> /*booking*/) {}
};

}  // namespace confpro::ivr
