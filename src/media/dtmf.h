// DTMF: RFC 4733 telephone-event receive and send, and in-band tone detection (spandsp) on 8 kHz PCM.
// Digits are '0'-'9', '*', '#', 'A'-'D' (events 0-15); other events are ignored.
// Thread safety: each instance belongs to one worker thread; construction allocates, the per-packet/per-frame
// calls do not.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace confpro::media {

struct DigitEvent {
  char digit = 0;
  int duration_ms = 0;
};

// RFC 4733 event code <-> digit; -1 / 0 when not a DTMF digit.
int dtmf_event_code(char digit);
char dtmf_digit(int event_code);

// Receive state machine. An event is identified by its RTP timestamp: the first packet of a new timestamp starts
// it, updates extend it, the end packets (E bit, usually sent 3 times) finish it. Each event yields exactly one
// digit, however long it lasts and however many end packets arrive. The digit is reported at its end: on the
// first E packet, when a packet of a new event arrives before any E packet (ends lost), or from poll() when no
// packet came for `end_timeout`.
class Rfc4733Receiver {
 public:
  explicit Rfc4733Receiver(int clock_rate = 8000, std::chrono::milliseconds end_timeout = std::chrono::milliseconds{800})
      : clock_rate_(clock_rate), end_timeout_(end_timeout) {}

  // One telephone-event payload (4 bytes or more; extra events in the packet are ignored) with its RTP
  // timestamp. Returns a finished digit, if this packet finished one. Malformed payloads return nothing.
  std::optional<DigitEvent> on_packet(std::span<const std::uint8_t> payload, std::uint32_t timestamp,
                                      std::chrono::steady_clock::time_point now);
  // Finishes an event whose end packets were all lost; also hands out a digit left pending when one packet
  // finished two (call it once per tick).
  std::optional<DigitEvent> poll(std::chrono::steady_clock::time_point now);
  void reset();

 private:
  DigitEvent finish();
  int clock_rate_;
  std::chrono::milliseconds end_timeout_;
  bool active_ = false;     // an event is in progress and not yet reported
  bool have_last_ = false;  // last_ts_ identifies the latest event (reported or not)
  std::uint32_t last_ts_ = 0;
  char digit_ = 0;
  std::uint32_t duration_ = 0;  // timestamp units
  std::chrono::steady_clock::time_point last_packet_{};
  std::optional<DigitEvent> pending_;  // a second digit finished by the same packet; handed out by poll()
};

// One RFC 4733 packet to send: the 4-byte payload, the marker bit, and the RTP timestamp offset from the event
// start (always 0: all packets of an event carry the event's start timestamp).
struct Rfc4733Packet {
  std::array<std::uint8_t, 4> payload{};
  bool marker = false;
  bool end = false;
};

// Send state machine: start(digit, duration) then next() once per packet interval (20 ms) until it returns
// nothing. Packets: the first with the marker bit, then one per interval with the growing duration, then 3
// identical end packets with the final duration. The caller stamps them all with one RTP timestamp (the event
// start) and consecutive sequence numbers.
class Rfc4733Sender {
 public:
  explicit Rfc4733Sender(int clock_rate = 8000, int interval_ms = 20) : clock_rate_(clock_rate), interval_ms_(interval_ms) {}
  // Starts a digit (40..5000 ms; clamped; durations above 65535 timestamp units are capped there). Returns
  // false for a character that is not a DTMF digit. A digit in progress is replaced.
  bool start(char digit, int duration_ms, int volume_dbm0 = 10);
  std::optional<Rfc4733Packet> next();
  bool active() const { return body_ || remaining_end_ > 0; }

 private:
  int clock_rate_;
  int interval_ms_;
  int code_ = 0, volume_ = 10;
  std::uint32_t total_ = 0, sent_ = 0;  // timestamp units
  int remaining_end_ = 0;               // end packets still to send
  bool body_ = false;                   // still sending the growing-duration packets
  bool first_ = true;
};

// In-band DTMF detection on 8 kHz PCM with spandsp's dtmf_rx. Digits are reported when the tone ends, with its
// duration. Feed any frame length.
class InbandDtmfDetector {
 public:
  InbandDtmfDetector();
  ~InbandDtmfDetector();
  InbandDtmfDetector(const InbandDtmfDetector&) = delete;
  InbandDtmfDetector& operator=(const InbandDtmfDetector&) = delete;

  // Returns the number of digits written to `out` (digits that ended within this frame; more than out.size()
  // are dropped).
  std::size_t process(std::span<const std::int16_t> pcm8k, std::span<DigitEvent> out);
  void reset();

 private:
  static void on_tone(void* self, int code, int level, int delay);
  void* state_;  // dtmf_rx_state_t*
  char current_ = 0;
  std::int64_t started_at_ = 0;   // sample index
  std::int64_t samples_ = 0;      // samples fed so far
  std::int64_t frame_start_ = 0;
  std::span<DigitEvent> out_;
  std::size_t found_ = 0;
};

}  // namespace confpro::media
