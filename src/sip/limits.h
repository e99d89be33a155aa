// Admission limits at the SIP edge: per-source INVITE admission (token buckets, escalating bans, trusted
// peers) and the per-conference dial-out limits. Time is passed in (STYLE.md #5), so tests drive it by hand.
// Thread safety: TrustedPeers is immutable after parse; AdmissionGuard is used on the SIP thread only (no
// lock). DialOutLimiter is shared between dial() callers and the SIP thread; its state is guarded by its
// mutex.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "sip/sip_endpoint.h"
#include "common/thread_annotations.h"

namespace confpro::sip {

using SteadyTime = std::chrono::steady_clock::time_point;

// Addresses and networks ("192.0.2.7", "10.0.0.0/8", "2001:db8::/32") of peers we trust: trunks and proxies
// that carry many callers from one address and assert their identity (sip.trusted_peers).
class TrustedPeers {
 public:
  // kInvalidArgument naming the first entry that is not an address or CIDR.
  static Result<TrustedPeers> parse(const std::vector<std::string>& entries);
  bool contains(const std::string& ip) const;  // a numeric IPv4/IPv6 address (no brackets, no port)
  bool empty() const { return nets_.empty(); }

 private:
  struct Net {
    int family = 0;
    std::array<unsigned char, 16> bytes{};
    int prefix = 0;
  };
  std::vector<Net> nets_;
};

// Per-source admission with a ban that escalates (the model of Kamailio's pike + an ipban table): each
// untrusted source has a token bucket (rate_per_s, burst) that its new INVITEs and its other requests out of
// dialog (OPTIONS, REGISTER, MESSAGE…) draw on; the request that finds it empty bans the source for `ban`,
// doubled at each repeat offence up to `max_ban` (an offence is forgotten once the source has kept clean for
// max_ban after its last ban). While banned, every request from the source is dropped before the SIP stack
// sees it (screen()), and those requests keep draining its bucket: a source still flooding when its ban ends
// is banned again at once, longer, without a new burst. Trusted peers are never limited here (the global caps
// still apply).
struct AdmissionOptions {
  double rate_per_s = 20;              // new INVITEs per second per source; <= 0 disables the limit
  double burst = 40;                   // bucket size
  std::chrono::seconds ban{60};        // first ban
  std::chrono::seconds max_ban{3600};  // longest ban; also how long a banned source's record is kept
};

class AdmissionGuard {
 public:
  enum class Verdict {
    kAdmit,   // go on with the INVITE
    kNewBan,  // over the rate: this INVITE banned the source (log it once)
    kBanned,  // the source is banned already
  };
  AdmissionGuard(AdmissionOptions options, TrustedPeers trusted);

  bool trusted(const std::string& ip) const { return trusted_.contains(ip); }
  // A new INVITE (a new server transaction) from `ip`.
  Verdict admit(const std::string& ip, SteadyTime now);
  // A request out of any dialog from `ip`, before the stack handles it: kAdmit lets it through; kBanned and
  // kNewBan mean drop it. `counted`: it takes a token here (requests other than INVITE, whose tokens admit()
  // takes once per transaction, and its CANCEL).
  Verdict screen(const std::string& ip, SteadyTime now, bool counted);
  // How long the ban of `ip` still runs (0 when not banned), and its count of offences.
  std::chrono::seconds ban_left(const std::string& ip, SteadyTime now) const;
  int strikes(const std::string& ip) const;

  // What was dropped since the last call (for a once-a-second summary line instead of a line per request).
  struct Summary {
    std::uint64_t dropped = 0;       // requests dropped by screen()/admit() while banned
    std::size_t banned_sources = 0;  // sources banned now
    std::string top_source;          // the source that sent most of them ("" when none)
    std::uint64_t top_dropped = 0;
  };
  Summary take_summary(SteadyTime now);
  std::size_t tracked_sources() const { return sources_.size(); }

  static constexpr std::size_t kMaxSources = 100000;  // beyond (after pruning), new sources are not tracked

 private:
  struct Source {
    double tokens = 0;
    SteadyTime last{};
    SteadyTime banned_until{};
    SteadyTime last_ban_end{};  // when the latest ban ended / ends (for forgiving strikes)
    int strikes = 0;
    std::uint64_t dropped = 0;  // since the last summary
  };
  bool take_token(Source& s, SteadyTime now) const;
  Verdict charge(const std::string& ip, SteadyTime now);
  void prune(SteadyTime now);
  AdmissionOptions options_;
  TrustedPeers trusted_;
  std::unordered_map<std::string, Source> sources_;
  SteadyTime last_prune_{};
  std::uint64_t dropped_ = 0;
};

class DialOutLimiter {
 public:
  explicit DialOutLimiter(DialOutLimits limits) : limits_(limits) {}
  // Reserves one live dial-out for `tag`; kResourceExhausted names the limit reached.
  Status acquire(const std::string& tag, SteadyTime now);
  // Releases a reservation made by acquire (the call ended or never started).
  void release(const std::string& tag);
  int live(const std::string& tag) const;

 private:
  struct PerTag {
    int live = 0;
    std::deque<SteadyTime> started;  // within the last hour
  };
  DialOutLimits limits_;
  mutable Mutex mu_;
  std::map<std::string, PerTag> tags_ GUARDED_BY(mu_);
  int live_total_ GUARDED_BY(mu_) = 0;
};

}  // namespace confpro::sip
