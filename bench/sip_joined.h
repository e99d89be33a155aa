// What media_load needs to load a server it did not start (`confpro serve`, participants joined over SIP by
// SIPp, bench/sip_load.py): the CPU time of that process's threads, and the server RTP ports SIPp learned
// from each 200 OK. Single-threaded helpers of the load tool; no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace confpro::bench {

// On-CPU time (schedstat, ns) of every thread of process `pid` ("self" for this one), by thread name (comm).
std::map<std::string, std::int64_t> thread_cpu_ns(const std::string& pid);

// The media workers' share (threads named confpro-media*) and the rest, of such a sample.
std::int64_t media_ns(const std::map<std::string, std::int64_t>& by_name);
std::int64_t other_ns(const std::map<std::string, std::int64_t>& by_name);

// Tails the file SIPp's <log> actions write, one "INDEX PORT" line per answered call. poll() reads what was
// appended since the last call and hands out each complete line; malformed lines are skipped (counted).
class PortLog {
 public:
  explicit PortLog(std::string path) : path_(std::move(path)) {}
  void poll(const std::function<void(int index, int port)>& on_line);
  int malformed() const { return malformed_; }

 private:
  std::string path_;
  std::int64_t offset_ = 0;
  std::string partial_;
  int malformed_ = 0;
};

// "INDEX DIGITS" lines (the callers that key their PIN by RFC 4733, and what they key); empty on a missing
// file.
std::map<int, std::string> read_rtp_pins(const std::string& path);

}  // namespace confpro::bench
