// SMS through an HTTP gateway in Kannel's `sendsms` dialect ([notify.sms]; FEATURES.md N1, issue 15 item 3):
// one GET per message to `url` with username, password, from, to (E.164), text, charset=UTF-8 and coding — 0
// (GSM-7) when every character is in the GSM 03.38 default alphabet or its extension table, 2 (UCS-2)
// otherwise (Kannel converts the UTF-8 text itself). The gateway's 202 ("0: Accepted for delivery", "3:
// Queued for later delivery") means sent; any other answer is a failure recorded with its reply and retried
// like an e-mail; an unreachable gateway holds the SMS rows (SendResult::server_down). A number that has no
// E.164 form is refused for good.
//
// Delivery reports: with `report_url` set, each GET also asks for reports (dlr-mask kDlrMask: delivered,
// failed, buffered at the SMSC, refused by the SMSC) to be fetched from our web API at
// <report_url>/api/v1/notify/sms-dlr?id=<row>&token=<the row's report_token>&status=%d&answer=%A — the token
// (64 random hex digits, stored on the row) is what makes a report ours; the web route keeps it on the row
// (Store::record_delivery_report). Thread safety: one SmsSender per worker thread; the free functions are
// pure.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/phone.h"
#include "notify/sender.h"

namespace confpro::notify {

struct SmsOptions {
  std::string url;  // the gateway's sendsms URL, e.g. "http://127.0.0.1:13013/cgi-bin/sendsms"; "" = no SMS
  std::string username;
  std::string password;
  std::string from;  // sender shown on the phone ("" = the gateway's default)
  // The operator's [[sip.number_rules]], read backwards to give a national number its country code
  // ({"0033", "0"}: "06 12 34 56 78" → "+33612345678").
  std::vector<domain::NumberRule> number_rules;
  int connect_timeout_s = 10;
  int timeout_s = 30;
  // Where the gateway reaches our web API for delivery reports, e.g. "http://10.0.0.5:8080" ("" = none asked).
  std::string report_url;
};

// Kannel's dlr-mask: 1 delivered to the phone, 2 not delivered to the phone, 4 buffered at the SMSC, 16 not
// delivered to the SMSC (8, accepted by the SMSC, is not asked: the 202 already says as much). The web route
// that receives them (web/notification_routes.cpp) reads these bits.
inline constexpr int kDlrMask = 1 + 2 + 4 + 16;

// The dlr-url of row `id` ("" when options.report_url is ""): Kannel fills %d and %A when it calls it.
std::string report_callback_url(const SmsOptions& options, std::int64_t id, std::string_view token);

// Whether every character of `utf8` is in the GSM 03.38 default alphabet (basic set or extension table);
// false for malformed UTF-8.
bool fits_gsm7(std::string_view utf8);

// `raw` in E.164 ("+33612345678") after domain::normalize_phone; "" when it cannot be (no country code, not
// digits, too short or long).
std::string e164(std::string_view raw, const std::vector<domain::NumberRule>& rules = {});

// The sendsms GET URL for one message, every parameter percent-encoded; with dlr-mask and dlr-url when
// `callback` (report_callback_url) is not "".
std::string sendsms_url(const SmsOptions& options, const std::string& to_e164, std::string_view text,
                        std::string_view callback = {});

class SmsSender final : public Sender {
 public:
  explicit SmsSender(SmsOptions options);
  ~SmsSender() override;
  std::string destination(const store::OutboxMessage& message) const override;
  SendResult send(const store::OutboxMessage& message) override;
  void cancel() override { cancelled_ = true; }

 private:
  SmsOptions options_;
  void* curl_ = nullptr;  // CURL*, created at the first send
  std::atomic<bool> cancelled_{false};
};

}  // namespace confpro::notify
