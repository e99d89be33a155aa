#include "notify/smtp_sender.h"

#include <curl/curl.h>

#include <chrono>
#include <cstring>

#include "common/time.h"
#include "notify/curl_support.h"

namespace confpro::notify {

namespace {

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

}  // namespace

SmtpSender::SmtpSender(SmtpOptions options) : options_(std::move(options)) {
  curl_global_once();
  identity_.from = options_.from;
  identity_.host = options_.host.empty() ? address_domain(options_.from) : options_.host;
}

SmtpSender::~SmtpSender() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string SmtpSender::destination(const store::OutboxMessage&) const {
  return options_.url;
}

SendResult SmtpSender::send(const store::OutboxMessage& message) {
  const std::string data = build_email(message, identity_, SystemClock().now());
  const std::string from = "<" + bare_address(options_.from) + ">";
  const std::string to = "<" + bare_address(message.recipient) + ">";
  if (curl_ == nullptr) curl_ = curl_easy_init();
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return {false, false, "curl_easy_init failed"};
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  Upload up{&data};
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  CurlWatch watch{&cancelled_, std::chrono::steady_clock::now() + std::chrono::seconds(options_.timeout_s)};
  curl_set_limits(curl, watch, options_.connect_timeout_s, options_.timeout_s);
  // A new connection per message: a kept one that the server silently dropped made libcurl 7.88 hang on
  // reuse.
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  if (options_.url.rfind("smtp://", 0) == 0 && options_.starttls)
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  SendResult result;
  if (rc == CURLE_OK) {
    result.ok = true;
    result.reply = std::to_string(code);
    return result;
  }
  result.reply = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "") +
                 (code ? " (server reply " + std::to_string(code) + ")" : "");
  // 5xx refusing this message (recipient, content) is final; authentication, TLS and connection problems are
  // the operator's to fix: retried until the deadline.
  result.permanent = code >= 550 && code <= 554 && rc != CURLE_LOGIN_DENIED;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
    case CURLE_LOGIN_DENIED:
      result.server_down = true;
      break;
    default:
      result.server_down = code == 421;  // "service not available, closing channel"
  }
  return result;
}

}  // namespace confpro::notify
