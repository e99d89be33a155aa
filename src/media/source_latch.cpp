// Which source a session accepts and sends to (source_latch.h).
#include "media/source_latch.h"

#include <cstring>

namespace confpro::media {

const char* to_string(RtpLatching l) {
  return l == RtpLatching::kNatWindow ? "nat-window" : "strict";
}

void SourceLatch::reset(const SockAddr& signalled) {
  previous_ = current_;
  signalled_ = signalled;
  current_ = signalled;
  started_ = SteadyTime{};
  last_heard_ = SteadyTime{};
  heard_current_ = false;
  signalled_heard_ = false;
}

void SourceLatch::begin(SteadyTime now) {
  if (started_ == SteadyTime{}) started_ = now;
}

bool SourceLatch::window_open(SteadyTime now) const {
  return now - started_ < options_.window;
}

int SourceLatch::rank(const SockAddr& from) const {
  if (signalled_.empty()) return 0;
  if (from == signalled_) return 2;
  return from.same_host(signalled_) ? 1 : 0;
}

SourceLatch::Verdict SourceLatch::classify(const SockAddr& from, SteadyTime now) {
  begin(now);
  if (!current_.empty() && from == current_) return Verdict::kAccept;
  if (!signalled_.empty() && from == signalled_) return Verdict::kCandidate;  // always preferred
  if (options_.mode != RtpLatching::kNatWindow || signalled_heard_ || !window_open(now))
    return Verdict::kDrop;
  if (!heard_current_) return Verdict::kCandidate;  // nothing has come from the destination yet
  const bool better = rank(from) > rank(current_);
  const bool current_quiet = now - last_heard_ >= options_.still_sending;
  return better || current_quiet ? Verdict::kCandidate : Verdict::kDrop;
}

bool SourceLatch::learn(Verdict verdict, const SockAddr& from, SteadyTime now) {
  if (verdict == Verdict::kDrop) return false;
  const bool from_signalled = !signalled_.empty() && from == signalled_;
  if (from_signalled) signalled_heard_ = true;
  last_heard_ = now;
  heard_current_ = true;
  if (verdict == Verdict::kAccept || (!current_.empty() && from == current_)) return false;
  previous_ = current_;
  current_ = from;
  return true;
}

}  // namespace confpro::media
