#include "notify/curl_support.h"

#include <algorithm>
#include <mutex>
#include <string>

namespace confpro::notify {

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

int curl_abort_if_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* watch = static_cast<const CurlWatch*>(user);
  return watch->cancelled->load() || std::chrono::steady_clock::now() > watch->deadline ? 1 : 0;
}

size_t curl_collect_reply(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (reply->size() < 1024) reply->append(data, std::min(n, 1024 - reply->size()));
  return n;
}

void curl_set_limits(CURL* curl, CurlWatch& watch, int connect_timeout_s, int timeout_s) {
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, curl_abort_if_cancelled);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &watch);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(connect_timeout_s));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
}

}  // namespace confpro::notify
