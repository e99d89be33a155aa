// radius_bench HOST:PORT[,HOST:PORT…] SECRET ACCOUNT N STORE_URL: the time RADIUS authorization adds to a
// booking (issue 16 target: ≤ 50 ms p99 with FreeRADIUS local) — N authorize_account calls of a 60-minute
// booking through the real libradcli client, printed as "radius authorization: n=N p50=… p99=… max=… ms".
// Exit 1 if one was refused.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "billing/radius_billing.h"
#include "store/store.h"

int main(int argc, char** argv) {
  using namespace confpro;
  if (argc != 6) {
    std::fprintf(stderr, "usage: radius_bench HOST:PORT[,…] SECRET ACCOUNT N STORE_URL\n");
    return 2;
  }
  billing::RadiusOptions options;
  for (std::string list = argv[1]; !list.empty();) {  // in fail-over order
    const auto comma = list.find(',');
    options.servers.push_back(list.substr(0, comma));
    list = comma == std::string::npos ? "" : list.substr(comma + 1);
  }
  options.timeout_ms = 1000;
  options.retries = 0;
  options.secret = argv[2];
  auto client = billing::make_radius_client(options);
  auto store = store::open_store(argv[5]);
  if (!client.ok() || !store.ok() || !(*store)->migrate().ok()) {
    std::fprintf(stderr, "radius_bench: cannot start\n");
    return 2;
  }
  billing::RadiusAuthorizer authorizer(**client, **store, false);
  domain::Booking booking;
  booking.name = "bench";
  booking.number = "1";
  booking.duration_minutes = 60;
  const int n = std::stoi(argv[4]);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto line = authorizer.authorize_account(booking::Actor{}, argv[3], booking, TimePoint{});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!line.ok()) {
      std::fprintf(stderr, "radius_bench: refused: %s\n", line.error().message.c_str());
      return 1;
    }
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::printf("radius authorization: n=%d p50=%.2f p99=%.2f max=%.2f ms\n", n, at(0.5), at(0.99), ms.back());
  return 0;
}
