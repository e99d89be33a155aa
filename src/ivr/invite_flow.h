// The call of someone invited by number from the console (FEATURES.md I5): once they answer they hear who
// invites them to what ("You are invited to <conference> by <organizer>", then "to join, press 1"), and only
// a 1 puts them in — an answering machine that never presses 1 is hung up on. The intro plays at most twice,
// each followed by FlowOptions::invite_answer_timeout of silence. On 1 the host is asked again whether the
// conference takes them (it may have been locked, filled or ended meanwhile); a refusal is said, then the
// call ends. Hang-up reasons: "invite-no-answer" (no 1), "invite-refused-<outcome>" (locked, full, ended, …).
// Thread safety: the control loop only.
#pragma once

#include "ivr/flow.h"

namespace confpro::ivr {

class InviteFlow final : public Flow {
 public:
  // `intro`: what to say first — catalog keys, or absolute paths of WAV files (the spoken conference name);
  // "press-1-to-join" follows it.
  InviteFlow(FlowHost& host, const FlowOptions& options, domain::Booking booking,
             std::vector<std::string> intro);

  void start() override;
  void digit(char d) override;
  void prompt_done(std::uint64_t tag) override;
  void timeout() override;

  static constexpr int kMaxPlays = 2;  // the intro at most twice before hanging up

 private:
  enum class Step { kIntro, kWaiting, kGoodbye, kDone };
  void play_intro();
  void goodbye(const std::string& reason, std::vector<std::string> keys);

  FlowHost& host_;
  const FlowOptions& options_;
  domain::Booking booking_;
  std::vector<std::string> intro_;
  Step step_ = Step::kIntro;
  int plays_ = 0;
  std::uint64_t tag_ = 0;
  std::string reason_;
};

}  // namespace confpro::ivr
