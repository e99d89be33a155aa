// What the libcurl senders (smtp_sender, sms_sender) share: the one global initialisation and a progress
// callback that aborts a transfer when cancelled or past its own deadline.
// Thread safety: curl_global_once from any thread; a CurlWatch belongs to the transfer that uses it.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace confpro::notify {

void curl_global_once();

struct CurlWatch {
  const std::atomic<bool>* cancelled;
  std::chrono::steady_clock::time_point deadline;
};

// libcurl's progress callback (at least once a second, also while the server is silent): non-zero aborts. It
// also enforces the whole transfer's timeout itself: libcurl 7.88 was seen here waiting past CURLOPT_TIMEOUT
// after a failed read from a server that stopped answering. `user` is a CurlWatch.
int curl_abort_if_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

// libcurl's write callback keeping the first KiB of an answer (for the record) in `user`, a std::string.
size_t curl_collect_reply(char* data, size_t size, size_t count, void* user);

// The options every sender's transfer takes: no signals, the connect and total timeouts, `watch` as progress
// callback (it must outlive the transfer), the peer's certificate and name verified.
void curl_set_limits(CURL* curl, CurlWatch& watch, int connect_timeout_s, int timeout_s);

}  // namespace confpro::notify
