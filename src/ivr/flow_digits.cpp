#include "ivr/flow_digits.h"

namespace confpro::ivr {

std::uint64_t DigitQuestion::next_tag_ = 1;

void DigitQuestion::ask(std::vector<std::string> prompt, std::size_t max_len) {
  prompt_ = std::move(prompt);
  max_len_ = max_len;
  silences_ = 0;
  reask();
}

void DigitQuestion::set(std::vector<std::string> prompt, std::size_t max_len) {
  prompt_ = std::move(prompt);
  max_len_ = max_len;
  silences_ = 0;
  state_ = State::kIdle;
}

void DigitQuestion::reask() {
  digits_.clear();
  state_ = State::kPending;
  playing_ = true;
  tag_ = next_tag_++;
  host_.cancel_timer();
  host_.play(prompt_, tag_);
}

DigitQuestion::State DigitQuestion::digit(char d) {
  if (state_ != State::kPending) return state_;
  if (playing_) {
    host_.stop_prompt();
    playing_ = false;
  }
  if (d == '#') {
    host_.cancel_timer();
    state_ = State::kAnswered;
    return state_;
  }
  if (d == '*') {
    digits_.clear();
  } else if (d >= '0' && d <= '9') {
    digits_.push_back(d);
    if (max_len_ > 0 && digits_.size() >= max_len_) {
      host_.cancel_timer();
      state_ = State::kAnswered;
      return state_;
    }
  }
  host_.start_timer(options_.digit_timeout);
  return state_;
}

DigitQuestion::State DigitQuestion::prompt_done(std::uint64_t tag) {
  if (state_ != State::kPending || tag != tag_ || !playing_) return state_;
  playing_ = false;
  if (digits_.empty()) host_.start_timer(options_.first_digit_timeout);
  return state_;
}

DigitQuestion::State DigitQuestion::timeout() {
  if (state_ != State::kPending) return state_;
  if (!digits_.empty()) {
    state_ = State::kAnswered;
    return state_;
  }
  if (++silences_ > options_.max_silences) {
    state_ = State::kSilent;
    return state_;
  }
  reask();
  return state_;
}

}  // namespace confpro::ivr
