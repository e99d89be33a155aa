// Helpers for media_load's SIP-joined mode (sip_joined.h).
#include "sip_joined.h"

#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace confpro::bench {

std::map<std::string, std::int64_t> thread_cpu_ns(const std::string& pid) {
  std::map<std::string, std::int64_t> out;
  const std::string dir = "/proc/" + pid + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string base = dir + "/" + e->d_name;
    std::ifstream comm(base + "/comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream st(base + "/schedstat");
    std::int64_t ns = 0;
    if (st >> ns) out[name] += ns;
  }
  closedir(d);
  return out;
}

std::int64_t media_ns(const std::map<std::string, std::int64_t>& by_name) {
  std::int64_t total = 0;
  for (const auto& [name, ns] : by_name)
    if (name.rfind("confpro-media", 0) == 0) total += ns;
  return total;
}

std::int64_t other_ns(const std::map<std::string, std::int64_t>& by_name) {
  std::int64_t total = 0;
  for (const auto& [name, ns] : by_name) total += ns;
  return total - media_ns(by_name);
}

void PortLog::poll(const std::function<void(int, int)>& on_line) {
  std::ifstream f(path_, std::ios::binary);
  if (!f) return;
  f.seekg(offset_);
  std::string chunk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  offset_ += static_cast<std::int64_t>(chunk.size());
  partial_ += chunk;
  std::size_t start = 0;
  for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::istringstream line(partial_.substr(start, nl - start));
    int index = -1, port = -1;
    if (line >> index >> port && index >= 0 && port > 0 && port < 65536)
      on_line(index, port);
    else
      ++malformed_;
  }
  partial_.erase(0, start);
}

std::map<int, std::string> read_rtp_pins(const std::string& path) {
  std::map<int, std::string> out;
  std::ifstream f(path);
  int index = 0;
  std::string digits;
  while (f >> index >> digits) out[index] = digits;
  return out;
}

}  // namespace confpro::bench
