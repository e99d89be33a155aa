// Which source address a session accepts RTP (or RTCP) from and sends to: the address signalled in SDP, or —
// with NAT handling on — an address learned from the peer's own packets during a short window after the
// answer. Issue 11 item 3: latching onto the first valid packet from anyone let a stranger who sent to a new
// participant's port first take the room's mix and speak into it.
//
// The rules (compare rtpengine's strict-source with heuristic endpoint learning, and FreeSWITCH's RTP
// auto-adjust, which only adjusts early in a call):
// - kStrict: only the signalled address is accepted; packets from any other source are dropped.
// - kNatWindow: the signalled address is always accepted and always preferred: when it sends, it becomes the
//   destination again and learning ends for good. Until then, within `window` of begin(), a valid packet from
//   another source may become the destination: the first one, then one that ranks higher (same IP as
//   signalled beats any other IP), or one of equal rank once the current one has been silent for
//   `still_sending`. After the window nothing new is learned. A source that is still sending is never
//   replaced by an equal or lower one.
// A packet is only learned from once the caller has validated it (SRTP authentication, RTP parse, a
// negotiated payload type): classify() first, then learn() after validation. Pure and clock-driven; no
// allocation. Thread safety: the owning session's worker only.
#pragma once

#include <chrono>
#include <cstdint>

#include "media/jitter_buffer.h"  // SteadyTime
#include "media/media_engine.h"
#include "media/socket.h"

namespace confpro::media {

struct LatchOptions {
  RtpLatching mode = RtpLatching::kStrict;
  std::chrono::milliseconds window{3000};         // how long after the answer learning is allowed [3 s]
  std::chrono::milliseconds still_sending{1500};  // a source heard this recently is never displaced [1.5 s]
};

class SourceLatch {
 public:
  enum class Verdict {
    kAccept,     // from the current destination: process it
    kCandidate,  // from another source that may be learned: validate it, then call learn()
    kDrop,       // from a source that may not be used now
  };

  SourceLatch() = default;
  explicit SourceLatch(const LatchOptions& options) : options_(options) {}

  // A new signalled address (SDP; empty when not known yet): the destination goes back to it and learning may
  // start again, with a new window from the next begin().
  void reset(const SockAddr& signalled);
  // Starts the learning window at `now` if not started yet (the session's first tick or packet).
  void begin(SteadyTime now);

  Verdict classify(const SockAddr& from, SteadyTime now);
  // A validated packet: kAccept → it refreshes the source; kCandidate → `from` becomes the destination.
  // Returns true when the destination changed (the caller logs it: previous() → destination()).
  bool learn(Verdict verdict, const SockAddr& from, SteadyTime now);

  // Where to send: the learned address, else the signalled one (nullptr when neither is known).
  const SockAddr* destination() const { return current_.empty() ? nullptr : &current_; }
  const SockAddr& previous() const { return previous_; }
  const SockAddr& signalled() const { return signalled_; }
  bool learned() const { return !(current_ == signalled_); }

 private:
  int rank(const SockAddr& from) const;  // 2: the signalled address, 1: its IP, 0: anything else
  bool window_open(SteadyTime now) const;

  LatchOptions options_;
  SockAddr signalled_, current_, previous_;
  SteadyTime started_{}, last_heard_{};
  bool heard_current_ = false;
  bool signalled_heard_ = false;  // the signalled address sent a valid packet: learning is over
};

}  // namespace confpro::media
