// A scriptable test softphone for the end-to-end conference tests: a SIP UAC on sofia-sip nua (media off, our own
// SDP offer: PCMU/8000 + telephone-event/101) and the RTP side of tests/media/phone.h (a tone or silence every
// 20 ms, RFC 4733 digits, decoded audio of what it hears, with the arrival time of every received chunk).
//
// Thread safety: each Softphone owns one thread ("pump") that creates, runs and destroys its su_root and nua,
// and sends/receives RTP every 20 ms. Every public method may be called from the test thread; SIP commands are
// queued to the pump (executed within ~20 ms), state and audio are read under the phone's mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace confpro::conftest {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class Softphone {
 public:
  // tone_hz 0: the phone sends silence. caller: the user part of From (the caller number the server sees).
  explicit Softphone(std::string name, double tone_hz = 0, std::string caller = "");
  ~Softphone();
  Softphone(const Softphone&) = delete;
  Softphone& operator=(const Softphone&) = delete;

  // Sends INVITE to sip:<number>@127.0.0.1:<port>. Returns at once; wait with wait_answered().
  void dial(const std::string& number, std::uint16_t server_port);
  // Waits for the final answer; true on 200 (media flows from then on).
  bool wait_answered(std::chrono::milliseconds timeout = 5s);
  int final_status() const;  // 0 until a final answer arrived
  // Queues DTMF digits (RFC 4733, 100 ms each, 60 ms apart). Returns at once; wait_digits_sent() to wait.
  void press(const std::string& digits);
  bool wait_digits_sent(std::chrono::milliseconds timeout = 10s);
  // Sends BYE (if the call is up) and waits until the call is over.
  bool hang_up(std::chrono::milliseconds timeout = 5s);
  // Waits until the call ended, whoever ended it.
  bool wait_ended(std::chrono::milliseconds timeout);
  bool ended() const;
  bool bye_received() const;  // the server sent the BYE

  // --- what the phone heard (8 kHz PCM decoded from PCMU)
  static constexpr int kRate = 8000;
  std::size_t mark() const;                              // current end of the heard audio
  std::vector<std::int16_t> heard_since(std::size_t mark) const;
  std::vector<std::int16_t> heard_last(std::chrono::milliseconds span) const;
  std::vector<std::int16_t> heard_all() const;
  // Keeps listening for `span` from now and returns what arrived meanwhile.
  std::vector<std::int16_t> listen(std::chrono::milliseconds span);
  // Waits until a `window` of audio heard after `mark` (scanned in 20 ms steps) satisfies `pred`; returns the
  // index just past that window and the arrival time of its last sample, or nothing on timeout / call end.
  struct Heard {
    std::size_t end = 0;
    SteadyClock::time_point at{};
  };
  std::optional<Heard> wait_heard(std::size_t mark, const std::function<bool(std::span<const std::int16_t>)>& pred,
                                  std::chrono::milliseconds timeout, std::chrono::milliseconds window = 100ms);
  // Waits until, after heard index `from`, the phone got `quiet` of silence or no packet at all for `quiet`
  // (the server sends nothing while nothing plays).
  bool wait_quiet(std::size_t from, std::chrono::milliseconds quiet, std::chrono::milliseconds timeout);
  // Arrival time of sample `index` of heard audio (the packet that brought it).
  std::optional<SteadyClock::time_point> arrival_of(std::size_t index) const;

  // --- timings
  std::optional<SteadyClock::time_point> answered_at() const;   // 200 OK received
  std::optional<SteadyClock::time_point> last_digit_at() const;  // first packet of the last queued digit sent
  std::uint64_t packets_received() const;
  const std::string& name() const { return name_; }

 private:
  struct Impl;
  std::string name_;
  std::unique_ptr<Impl> impl_;
};

// --- audio checks (8 kHz)
double power_at(std::span<const std::int16_t> pcm, double hz);
double rms(std::span<const std::int16_t> pcm);
// The tone carries at least `min_fraction` of the energy and is loud enough (not a whisper of leakage).
bool hears_tone(std::span<const std::int16_t> pcm, double hz, double min_fraction = 0.3);
// Energy at `hz` is negligible: below 1% of the total energy and below an absolute floor.
bool tone_absent(std::span<const std::int16_t> pcm, double hz);
bool is_silent(std::span<const std::int16_t> pcm);  // rms below ~ -60 dBov

}  // namespace confpro::conftest
