// A scriptable test softphone for the end-to-end conference tests: a SIP UAC on sofia-sip nua (media off, our own
// SDP offer: one codec — PCMU/8000 by default, G.722 or Opus on request — and telephone-event/101) and the RTP
// side of tests/media/phone.h (a tone or silence every 20 ms, digits as RFC 4733 events, SIP INFO or in-band
// tones, decoded audio of what it hears — always kept at 8 kHz — with the arrival time of every received chunk).
// Given a SIP port, it also answers incoming calls there (a trunk's far end: the person invited by number).
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

#include "media/media_engine.h"

namespace confpro::conftest {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How the phone sends the digits of press().
enum class DtmfMode { kRfc4733, kSipInfo, kInband };

struct SoftphoneOptions {
  double tone_hz = 0;                               // 0: the phone sends silence
  std::string caller;                               // user part of From (the caller number the server sees)
  media::CodecKind codec = media::CodecKind::kPcmu; // the one audio codec offered / answered with
  bool telephone_event = true;                      // offer telephone-event (RFC 4733)
  DtmfMode dtmf = DtmfMode::kRfc4733;
  std::uint16_t sip_port = 0;                       // > 0: bind there and answer every incoming INVITE with 200
  std::chrono::milliseconds rtp_start_delay{0};     // sends no RTP for this long after the answer (hears all along)
  std::string address = "127.0.0.1";                // the phone's own address (SIP, RTP, SDP): another 127.0.0.x
                                                    // is another source to the server
};

class Softphone {
 public:
  // tone_hz 0: the phone sends silence. caller: the user part of From (the caller number the server sees).
  explicit Softphone(std::string name, double tone_hz = 0, std::string caller = "");
  Softphone(std::string name, SoftphoneOptions options);
  ~Softphone();
  Softphone(const Softphone&) = delete;
  Softphone& operator=(const Softphone&) = delete;

  // Sends INVITE to sip:<number>@127.0.0.1:<port>. Returns at once; wait with wait_answered().
  void dial(const std::string& number, std::uint16_t server_port);
  // Waits for the final answer; true on 200 (media flows from then on). For a phone that answers (sip_port):
  // true once it answered an incoming call.
  bool wait_answered(std::chrono::milliseconds timeout = 15s);
  int final_status() const;  // 0 until a final answer arrived
  std::string incoming_to() const;  // answering phone: Request-URI user part of the call it answered
  // Queues DTMF digits (as options.dtmf says: 100 ms each, 140 ms apart; INFO: one request per digit). Returns at once; wait_digits_sent() to wait.
  void press(const std::string& digits);
  bool wait_digits_sent(std::chrono::milliseconds timeout = 20s);
  // Sends `pcm` (8 kHz) instead of the phone's tone or silence until it runs out (someone talks for a while).
  void say(const std::vector<std::int16_t>& pcm);
  // Sends BYE (if the call is up) and waits until the call is over.
  bool hang_up(std::chrono::milliseconds timeout = 5s);
  // Waits until the call ended, whoever ended it.
  bool wait_ended(std::chrono::milliseconds timeout);
  bool ended() const;
  bool bye_received() const;  // the server sent the BYE

  // --- what the phone heard (8 kHz PCM decoded from the call's codec, resampled to 8 kHz)
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
  std::string server_rtp() const;  // "ip:port" of the server's RTP from its SDP ("" before)
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
