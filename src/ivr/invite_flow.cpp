#include "ivr/invite_flow.h"

namespace confpro::ivr {

namespace {
constexpr std::uint64_t kInviteTagBase = 1ull << 45;
std::uint64_t g_invite_tags = kInviteTagBase;
}  // namespace

InviteFlow::InviteFlow(FlowHost& host, const FlowOptions& options, domain::Booking booking,
                       std::vector<std::string> intro)
    : host_(host), options_(options), booking_(std::move(booking)), intro_(std::move(intro)) {}

void InviteFlow::start() {
  host_.set_language(booking_.language);
  play_intro();
}

void InviteFlow::play_intro() {
  step_ = Step::kIntro;
  ++plays_;
  std::vector<std::string> keys = intro_;
  keys.emplace_back("press-1-to-join");
  tag_ = ++g_invite_tags;
  host_.cancel_timer();
  host_.play(keys, tag_);
}

void InviteFlow::digit(char d) {
  if ((step_ != Step::kIntro && step_ != Step::kWaiting) || d != '1') return;
  host_.cancel_timer();
  host_.stop_prompt();
  const Refusal refusal = refusal_for(host_.admit(booking_, domain::Role::kUser, ""));
  if (!refusal.reason.empty())
    return goodbye("invite-refused-" + refusal.reason, {refusal.prompt, "goodbye"});
  step_ = Step::kDone;
  host_.enter_conference(booking_, domain::Role::kUser, "");
}

void InviteFlow::prompt_done(std::uint64_t tag) {
  if (tag != tag_) return;
  if (step_ == Step::kIntro) {
    step_ = Step::kWaiting;
    host_.start_timer(options_.invite_answer_timeout);
  } else if (step_ == Step::kGoodbye) {
    step_ = Step::kDone;
    host_.hangup(reason_);
  }
}

void InviteFlow::timeout() {
  if (step_ != Step::kWaiting) return;
  if (plays_ < kMaxPlays) return play_intro();
  goodbye("invite-no-answer", {"goodbye"});
}

void InviteFlow::goodbye(const std::string& reason, std::vector<std::string> keys) {
  step_ = Step::kGoodbye;
  reason_ = reason;
  tag_ = ++g_invite_tags;
  host_.cancel_timer();
  host_.play(keys, tag_);
}

}  // namespace confpro::ivr
