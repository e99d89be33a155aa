#include "sip/limits.h"

#include <arpa/inet.h>

#include <algorithm>

namespace confpro::sip {

namespace {

// Family and bytes of a numeric address; false when `text` is not one.
bool parse_ip(const std::string& text, int& family, std::array<unsigned char, 16>& bytes) {
  bytes.fill(0);
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

Result<TrustedPeers> TrustedPeers::parse(const std::vector<std::string>& entries) {
  TrustedPeers peers;
  for (const auto& entry : entries) {
    const auto slash = entry.find('/');
    Net net;
    if (!parse_ip(entry.substr(0, slash), net.family, net.bytes)) {
      return Error::invalid("sip.trusted_peers", "'" + entry + "' is not an IP address or CIDR network");
    }
    const int bits = net.family == AF_INET ? 32 : 128;
    net.prefix = bits;
    if (slash != std::string::npos) {
      const std::string len = entry.substr(slash + 1);
      if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(len) > bits) {
        return Error::invalid("sip.trusted_peers", "'" + entry + "' has a bad prefix length");
      }
      net.prefix = std::stoi(len);
    }
    peers.nets_.push_back(net);
  }
  return peers;
}

bool TrustedPeers::contains(const std::string& ip) const {
  if (nets_.empty()) return false;
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  if (!parse_ip(ip, family, bytes)) return false;
  for (const Net& n : nets_) {
    if (n.family != family) continue;
    const int whole = n.prefix / 8, rest = n.prefix % 8;
    if (!std::equal(n.bytes.begin(), n.bytes.begin() + whole, bytes.begin())) continue;
    const unsigned mask = rest ? (0xffu << (8 - rest)) & 0xffu : 0u;
    if (rest && (n.bytes[whole] & mask) != (bytes[whole] & mask)) continue;
    return true;
  }
  return false;
}

AdmissionGuard::AdmissionGuard(AdmissionOptions options, TrustedPeers trusted)
    : options_(options), trusted_(std::move(trusted)) {
  if (options_.burst < 1) options_.burst = 1;
  if (options_.ban.count() < 1) options_.ban = std::chrono::seconds(1);
  if (options_.max_ban < options_.ban) options_.max_ban = options_.ban;
}

// Refills the bucket for the time since its last request, then takes one token; false when it was empty.
bool AdmissionGuard::take_token(Source& s, SteadyTime now) const {
  const double elapsed = std::chrono::duration<double>(now - s.last).count();
  s.tokens = std::min(options_.burst, s.tokens + std::max(0.0, elapsed) * options_.rate_per_s);
  s.last = now;
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

AdmissionGuard::Verdict AdmissionGuard::admit(const std::string& ip, SteadyTime now) {
  if (options_.rate_per_s <= 0 || trusted_.contains(ip)) return Verdict::kAdmit;
  return charge(ip, now);
}

AdmissionGuard::Verdict AdmissionGuard::screen(const std::string& ip, SteadyTime now, bool counted) {
  if (options_.rate_per_s <= 0) return Verdict::kAdmit;
  if (!counted) {
    // Only a ban applies (trusted peers are never banned): a quick look-up for the common case.
    auto it = sources_.find(ip);
    if (it == sources_.end() || now >= it->second.banned_until) return Verdict::kAdmit;
  } else if (trusted_.contains(ip)) {
    return Verdict::kAdmit;
  }
  return charge(ip, now);
}

// Takes a token from `ip`'s bucket: kBanned while its ban runs (the request still drains the bucket), kNewBan
// when the bucket was empty (the ban starts, or grows on a repeat offence), else kAdmit.
AdmissionGuard::Verdict AdmissionGuard::charge(const std::string& ip, SteadyTime now) {
  prune(now);
  auto it = sources_.find(ip);
  if (it == sources_.end()) {
    if (sources_.size() >= kMaxSources) return Verdict::kAdmit;
    it = sources_.emplace(ip, Source{options_.burst, now}).first;
  }
  Source& s = it->second;
  const bool had_token = take_token(s, now);
  if (now < s.banned_until) {
    ++s.dropped;
    ++dropped_;
    return Verdict::kBanned;
  }
  if (had_token) return Verdict::kAdmit;
  if (s.strikes > 0 && now - s.last_ban_end > options_.max_ban) s.strikes = 0;  // clean long enough: forgiven
  ++s.strikes;
  auto ban = options_.ban;
  for (int i = 1; i < s.strikes && ban < options_.max_ban; ++i) ban *= 2;
  ban = std::min(ban, options_.max_ban);
  s.banned_until = now + ban;
  s.last_ban_end = s.banned_until;
  return Verdict::kNewBan;
}

std::chrono::seconds AdmissionGuard::ban_left(const std::string& ip, SteadyTime now) const {
  auto it = sources_.find(ip);
  if (it == sources_.end() || now >= it->second.banned_until) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(it->second.banned_until - now);
}

int AdmissionGuard::strikes(const std::string& ip) const {
  auto it = sources_.find(ip);
  return it == sources_.end() ? 0 : it->second.strikes;
}

AdmissionGuard::Summary AdmissionGuard::take_summary(SteadyTime now) {
  Summary sum;
  sum.dropped = dropped_;
  dropped_ = 0;
  for (auto& [ip, s] : sources_) {
    if (now < s.banned_until) ++sum.banned_sources;
    if (s.dropped > sum.top_dropped) {
      sum.top_dropped = s.dropped;
      sum.top_source = ip;
    }
    s.dropped = 0;
  }
  return sum;
}

// Forgets sources that are not banned, have a full bucket again and no offence to remember, at most once a
// second (or when the table is full), so a spoofed-source flood cannot grow the table without bound.
void AdmissionGuard::prune(SteadyTime now) {
  if (now - last_prune_ < std::chrono::seconds(1) && sources_.size() < kMaxSources) return;
  last_prune_ = now;
  const double refill_s = options_.burst / options_.rate_per_s;
  for (auto it = sources_.begin(); it != sources_.end();) {
    const Source& s = it->second;
    const bool idle = std::chrono::duration<double>(now - s.last).count() >= refill_s;
    const bool remembered = s.strikes > 0 && now - s.last_ban_end <= options_.max_ban;
    if (idle && now >= s.banned_until && !remembered) {
      it = sources_.erase(it);
    } else {
      ++it;
    }
  }
}

Status DialOutLimiter::acquire(const std::string& tag, SteadyTime now) {
  MutexLock lock(mu_);
  if (live_total_ >= limits_.max_concurrent_total) return Error::exhausted("too many dial-outs on this node");
  PerTag& t = tags_[tag];
  while (!t.started.empty() && now - t.started.front() >= std::chrono::hours(1)) t.started.pop_front();
  if (t.live >= limits_.max_concurrent_per_conference) {
    return Error::exhausted("too many concurrent dial-outs for this conference");
  }
  if (static_cast<int>(t.started.size()) >= limits_.max_per_hour_per_conference) {
    return Error::exhausted("hourly dial-out limit reached for this conference");
  }
  ++t.live;
  ++live_total_;
  t.started.push_back(now);
  return {};
}

void DialOutLimiter::release(const std::string& tag) {
  MutexLock lock(mu_);
  auto it = tags_.find(tag);
  if (it == tags_.end() || it->second.live == 0) return;
  --it->second.live;
  --live_total_;
}

int DialOutLimiter::live(const std::string& tag) const {
  MutexLock lock(mu_);
  auto it = tags_.find(tag);
  return it == tags_.end() ? 0 : it->second.live;
}

}  // namespace confpro::sip
