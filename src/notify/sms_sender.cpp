#include "notify/sms_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "notify/curl_support.h"

namespace confpro::notify {

namespace {

// The next code point of `s` from `i` (advanced past it); nullopt for malformed UTF-8.
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = b0 < 0x80             ? 0
              : (b0 & 0xE0) == 0xC0 ? 1
              : (b0 & 0xF0) == 0xE0 ? 2
              : (b0 & 0xF8) == 0xF0 ? 3
                                    : -1;
  if (extra < 0 || i + static_cast<size_t>(extra) >= s.size()) return std::nullopt;
  char32_t cp = extra == 0 ? b0 : b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

bool in_gsm7(char32_t c) {
  if ((c >= 0x20 && c <= 0x5F && c != 0x5B && c != 0x5C && c != 0x5D && c != 0x5E) ||
      (c >= 0x61 && c <= 0x7A) || c == '\n' || c == '\r')
    return true;
  // The rest of the basic set (Latin-1 and Greek), then the extension table (two septets each).
  static constexpr char32_t kOthers[] = {0xA3,  0xA5,  0xE8,  0xE9,  0xF9,  0xEC,  0xF2,  0xC7,  0xD8,  0xF8,
                                         0xC5,  0xE5,  0x394, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3,
                                         0x398, 0x39E, 0xC6,  0xE6,  0xDF,  0xC9,  0xA4,  0xA1,  0xC4,  0xD6,
                                         0xD1,  0xDC,  0xA7,  0xBF,  0xE4,  0xF6,  0xF1,  0xFC,  0xE0,  0x0C,
                                         '^',   '{',   '}',   '\\',  '[',   '~',   ']',   '|',   0x20AC};
  return std::find(std::begin(kOthers), std::end(kOthers), c) != std::end(kOthers);
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

bool fits_gsm7(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size();) {
    auto cp = next_code_point(utf8, i);
    if (!cp || !in_gsm7(*cp)) return false;
  }
  return true;
}

std::string e164(std::string_view raw, const std::vector<domain::NumberRule>& rules) {
  std::string n = domain::normalize_phone(raw);  // "+33 6 12" → "0033612", "06 12" → "0612"
  if (n.rfind("00", 0) != 0) {
    // A national number: the rule that made it national, backwards ({"0033", "0"}: "0612" → "0033612").
    for (const auto& rule : rules) {
      if (!rule.add_prefix.empty() && rule.strip_prefix.rfind("00", 0) == 0 &&
          n.rfind(rule.add_prefix, 0) == 0) {
        n = rule.strip_prefix + n.substr(rule.add_prefix.size());
        break;
      }
    }
  }
  if (n.rfind("00", 0) != 0 || n.size() < 2 + 7 || n.size() > 2 + 15 || n[2] == '0') return "";
  if (!std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) return "";
  return "+" + n.substr(2);
}

std::string report_callback_url(const SmsOptions& options, std::int64_t id, std::string_view token) {
  if (options.report_url.empty() || token.empty()) return "";
  std::string base = options.report_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/notify/sms-dlr?id=" + std::to_string(id) + "&token=" + percent_encode(token) +
         "&status=%d&answer=%A";
}

std::string sendsms_url(const SmsOptions& options, const std::string& to_e164, std::string_view text,
                        std::string_view callback) {
  std::string url = options.url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "username=" + percent_encode(options.username) + "&password=" + percent_encode(options.password);
  if (!options.from.empty()) url += "&from=" + percent_encode(options.from);
  url += "&to=" + percent_encode(to_e164) + "&text=" + percent_encode(text) + "&charset=UTF-8&coding=";
  url += fits_gsm7(text) ? "0" : "2";
  if (!callback.empty())
    url += "&dlr-mask=" + std::to_string(kDlrMask) + "&dlr-url=" + percent_encode(callback);
  return url;
}

SmsSender::SmsSender(SmsOptions options) : options_(std::move(options)) {
  curl_global_once();
}

SmsSender::~SmsSender() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string SmsSender::destination(const store::OutboxMessage&) const {
  return options_.url;
}

SendResult SmsSender::send(const store::OutboxMessage& message) {
  SendResult result;
  const std::string to = e164(message.recipient, options_.number_rules);
  if (to.empty()) {
    result.permanent = true;
    result.reply = "not a mobile number in E.164 form: " + message.recipient;
    return result;
  }
  if (curl_ == nullptr) curl_ = curl_easy_init();
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return {false, false, "curl_easy_init failed"};
  curl_easy_reset(curl);
  const std::string url =
      sendsms_url(options_, to, message.body, report_callback_url(options_, message.id, message.report_token));
  char error[CURL_ERROR_SIZE] = {0};
  std::string reply;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, curl_collect_reply);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  CurlWatch watch{&cancelled_, std::chrono::steady_clock::now() + std::chrono::seconds(options_.timeout_s)};
  curl_set_limits(curl, watch, options_.connect_timeout_s, options_.timeout_s);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r' || reply.back() == ' '))
    reply.pop_back();
  if (rc != CURLE_OK) {
    result.reply = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
    result.server_down = true;  // unreachable, silent, TLS: the gateway, not the message
    return result;
  }
  result.reply = std::to_string(code) + " " + reply;
  result.ok = code == 202;  // Kannel: "0: Accepted for delivery" (or "3: Queued for later delivery")
  result.server_down = code >= 500 || code == 401 || code == 403;  // down, or our credentials refused
  return result;
}

}  // namespace confpro::notify
