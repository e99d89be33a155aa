#include "media/dtmf.h"

#include <spandsp.h>

#include <algorithm>
#include <cstring>

namespace confpro::media {
namespace {

constexpr char kDigits[] = "0123456789*#ABCD";

}  // namespace

int dtmf_event_code(char digit) {
  if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
  const char* p = std::strchr(kDigits, digit);
  return (digit != 0 && p != nullptr) ? static_cast<int>(p - kDigits) : -1;
}

char dtmf_digit(int code) { return (code >= 0 && code < 16) ? kDigits[code] : 0; }

// ---- RFC 4733 receive ----

DigitEvent Rfc4733Receiver::finish() {
  active_ = false;
  return DigitEvent{digit_, static_cast<int>(static_cast<std::int64_t>(duration_) * 1000 / clock_rate_)};
}

std::optional<DigitEvent> Rfc4733Receiver::on_packet(std::span<const std::uint8_t> payload, std::uint32_t timestamp,
                                                     std::chrono::steady_clock::time_point now) {
  if (payload.size() < 4) return std::nullopt;
  const char digit = dtmf_digit(payload[0]);
  if (digit == 0) return std::nullopt;
  const bool end = (payload[1] & 0x80) != 0;
  const std::uint32_t duration = (static_cast<std::uint32_t>(payload[2]) << 8) | payload[3];

  if (have_last_) {
    const auto age = static_cast<std::int32_t>(timestamp - last_ts_);
    if (age < 0) return std::nullopt;  // a packet of an older event, reordered
    if (age == 0) {                    // the current event: update, retransmission or redundant end
      if (!active_) return std::nullopt;
      last_packet_ = now;
      duration_ = std::max(duration_, duration);
      if (end) return finish();
      return std::nullopt;
    }
  }
  // A new event (new timestamp). An unfinished previous one ends here.
  std::optional<DigitEvent> previous;
  if (active_) previous = finish();
  have_last_ = true;
  last_ts_ = timestamp;
  digit_ = digit;
  duration_ = duration;
  last_packet_ = now;
  active_ = true;
  if (end) {
    DigitEvent current = finish();
    if (!previous) return current;
    pending_ = current;
  }
  return previous;
}

std::optional<DigitEvent> Rfc4733Receiver::poll(std::chrono::steady_clock::time_point now) {
  if (pending_) {
    auto p = pending_;
    pending_.reset();
    return p;
  }
  if (active_ && now - last_packet_ >= end_timeout_) return finish();
  return std::nullopt;
}

void Rfc4733Receiver::reset() {
  active_ = have_last_ = false;
  pending_.reset();
  duration_ = 0;
}

// ---- RFC 4733 send ----

bool Rfc4733Sender::start(char digit, int duration_ms, int volume_dbm0) {
  const int code = dtmf_event_code(digit);
  if (code < 0) return false;
  code_ = code;
  volume_ = std::clamp(volume_dbm0, 0, 63);
  duration_ms = std::clamp(duration_ms, 40, 5000);
  total_ = std::min<std::uint32_t>(static_cast<std::uint32_t>(static_cast<std::int64_t>(duration_ms) * clock_rate_ / 1000),
                                   0xFFFF);
  sent_ = 0;
  first_ = true;
  body_ = true;
  remaining_end_ = 3;
  return true;
}

std::optional<Rfc4733Packet> Rfc4733Sender::next() {
  if (!active()) return std::nullopt;
  Rfc4733Packet p;
  if (body_) {
    sent_ += static_cast<std::uint32_t>(static_cast<std::int64_t>(interval_ms_) * clock_rate_ / 1000);
    if (sent_ >= total_) {
      sent_ = total_;
      body_ = false;
    }
  }
  p.end = !body_;
  if (p.end) --remaining_end_;
  p.marker = first_;
  first_ = false;
  p.payload[0] = static_cast<std::uint8_t>(code_);
  p.payload[1] = static_cast<std::uint8_t>((p.end ? 0x80 : 0) | volume_);
  p.payload[2] = static_cast<std::uint8_t>(sent_ >> 8);
  p.payload[3] = static_cast<std::uint8_t>(sent_ & 0xFF);
  return p;
}

// ---- In-band ----

namespace {
void ignore_digits(void*, const char*, int) {}
dtmf_rx_state_t* rx(void* p) { return static_cast<dtmf_rx_state_t*>(p); }
}  // namespace

InbandDtmfDetector::InbandDtmfDetector() : state_(dtmf_rx_init(nullptr, ignore_digits, nullptr)) {
  dtmf_rx_set_realtime_callback(rx(state_), &InbandDtmfDetector::on_tone, this);
}

InbandDtmfDetector::~InbandDtmfDetector() { dtmf_rx_free(rx(state_)); }

void InbandDtmfDetector::on_tone(void* self_ptr, int code, int, int) {
  auto* self = static_cast<InbandDtmfDetector*>(self_ptr);
  if (code != 0) {
    self->current_ = static_cast<char>(code);
    self->started_at_ = self->frame_start_;
    return;
  }
  if (self->current_ == 0) return;
  if (self->found_ < self->out_.size()) {
    auto ms = (self->frame_start_ - self->started_at_) / 8;
    self->out_[self->found_++] = DigitEvent{self->current_, static_cast<int>(ms)};
  }
  self->current_ = 0;
}

std::size_t InbandDtmfDetector::process(std::span<const std::int16_t> pcm8k, std::span<DigitEvent> out) {
  out_ = out;
  found_ = 0;
  frame_start_ = samples_;
  dtmf_rx(rx(state_), pcm8k.data(), static_cast<int>(pcm8k.size()));
  samples_ += static_cast<std::int64_t>(pcm8k.size());
  out_ = {};
  return found_;
}

void InbandDtmfDetector::reset() {
  dtmf_rx_init(rx(state_), ignore_digits, nullptr);
  dtmf_rx_set_realtime_callback(rx(state_), &InbandDtmfDetector::on_tone, this);
  current_ = 0;
}

}  // namespace confpro::media
