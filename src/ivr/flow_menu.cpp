#include "ivr/flow_menu.h"

#include "ivr/create_flow.h"
#include "ivr/join_flow.h"

namespace confpro::ivr {

namespace {
std::uint64_t g_menu_tags = 3ull << 40;
}

MenuFlow::MenuFlow(FlowHost& host, const FlowOptions& options)
    : host_(host), options_(options), question_(host, options) {}

void MenuFlow::start() { question_.ask({"welcome", "main-menu"}, 1); }

void MenuFlow::digit(char d) {
  if (chosen_) return chosen_->digit(d);
  if (said_invalid_ || leaving_) return;
  if (question_.digit(d) == DigitQuestion::State::kAnswered) choose(question_.answer());
}

void MenuFlow::timeout() {
  if (chosen_) return chosen_->timeout();
  auto state = question_.timeout();
  if (state == DigitQuestion::State::kAnswered) choose(question_.answer());
  if (state == DigitQuestion::State::kSilent) {
    leaving_ = true;
    message_tag_ = ++g_menu_tags;
    host_.play({"no-input", "goodbye"}, message_tag_);
  }
}

void MenuFlow::prompt_done(std::uint64_t tag) {
  if (chosen_) return chosen_->prompt_done(tag);
  if (tag == message_tag_ && leaving_) {
    host_.hangup("no-input");
    return;
  }
  if (tag == message_tag_ && said_invalid_) {
    said_invalid_ = false;
    question_.set({"main-menu"}, 1);
    question_.reask();
    return;
  }
  question_.prompt_done(tag);
}

void MenuFlow::name_recorded(const std::string& file, bool ok) {
  if (chosen_) chosen_->name_recorded(file, ok);
}

void MenuFlow::booking_found(std::uint64_t request, Result<domain::Booking> booking) {
  if (chosen_) chosen_->booking_found(request, std::move(booking));
}
void MenuFlow::pin_checked(std::uint64_t request, PinCheck check) {
  if (chosen_) chosen_->pin_checked(request, check);
}
void MenuFlow::creator_authenticated(std::uint64_t request, Result<PhoneCreator> creator) {
  if (chosen_) chosen_->creator_authenticated(request, std::move(creator));
}
void MenuFlow::booking_created(std::uint64_t request, Result<domain::Booking> booking) {
  if (chosen_) chosen_->booking_created(request, std::move(booking));
}

void MenuFlow::choose(const std::string& answer) {
  if (answer == "1") {
    chosen_ = std::make_unique<CreateFlow>(host_, options_);
  } else if (answer == "2") {
    chosen_ = std::make_unique<JoinFlow>(host_, options_);
  } else {
    message_tag_ = ++g_menu_tags;
    if (++tries_ >= options_.max_tries) {
      leaving_ = true;
      host_.play({"invalid-choice", "goodbye"}, message_tag_);
      return;
    }
    said_invalid_ = true;
    host_.play({"invalid-choice"}, message_tag_);
    return;
  }
  chosen_->start();
}

}  // namespace confpro::ivr
