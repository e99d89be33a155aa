// A question on the phone: play a prompt, collect digits (barge-in stops the prompt), finish on '#', on the
// maximum length, or on a pause after the last digit; re-prompt on silence, give up after too many silences.
// '*' clears what was typed so far.
// Thread safety: the control loop only (inside a Flow).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ivr/flow.h"

namespace confpro::ivr {

class DigitQuestion {
 public:
  enum class State { kIdle, kPending, kAnswered, kSilent };

  DigitQuestion(FlowHost& host, const FlowOptions& options) : host_(host), options_(options) {}

  // Starts asking. `max_len` digits end the entry without '#'; 0 = only '#' or a pause ends it.
  void ask(std::vector<std::string> prompt, std::size_t max_len);
  // Sets the question without asking it yet (reask() asks it, e.g. after an error message).
  void set(std::vector<std::string> prompt, std::size_t max_len);
  // Plays `prompt` once more, keeping the question (after an error message, say).
  void reask();

  // Each returns the state after the event. kAnswered: answer() holds the digits ('#' not included; may be empty
  // when the caller pressed '#' alone). kSilent: the caller stayed silent too often.
  State digit(char d);
  State prompt_done(std::uint64_t tag);
  State timeout();

  const std::string& answer() const { return digits_; }
  State state() const { return state_; }
  bool owns(std::uint64_t tag) const { return tag == tag_; }

 private:
  FlowHost& host_;
  const FlowOptions& options_;
  std::vector<std::string> prompt_;
  std::size_t max_len_ = 0;
  std::string digits_;
  State state_ = State::kIdle;
  bool playing_ = false;
  int silences_ = 0;
  std::uint64_t tag_ = 0;
  static std::uint64_t next_tag_;
};

}  // namespace confpro::ivr
