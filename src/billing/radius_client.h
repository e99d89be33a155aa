// RADIUS client for the billing coupling (FEATURES.md P3, issue 16), over Debian's libradcli: Access-Request
// to authorize a billed booking (User-Name = billing account, Called-Station-Id = access number,
// NAS-Identifier), reading the granted time from Session-Timeout or Cisco's h323-credit-time;
// Accounting-Request Start / Interim-Update / Stop. Several servers are tried in order (fail-over), each
// `retries` + 1 times, waiting `timeout_ms` (libradcli counts in whole seconds: rounded up) for each answer;
// accounting goes to port + 1. Thread safety: every call blocks for up to servers × (retries + 1) × timeout —
// never call it on the control loop. Calls from several threads at once are safe (each takes its own
// libradcli handle from a pool).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace confpro::billing {

// [billing.radius].
struct RadiusOptions {
  std::vector<std::string> servers;  // "host:port" (authentication port; accounting is port + 1), in order
  std::string secret;                // shared secret
  int timeout_ms = 2000;             // wait for each answer (rounded up to whole seconds by libradcli)
  int retries = 1;                   // resends per server before the next one
  std::string nas_identifier = "confpro";
  bool accounting = true;   // send Accounting-Request Start/Interim/Stop
  int interim_seconds = 0;  // Interim-Update period of a running conference; 0 = none
  // Live credit enforcement (radius_accounting.h): a running conference is re-authorized at least every
  // `reauthorize_seconds` and ends when the time granted runs out (issue 16 P4).
  bool enforce_credit = true;
  int reauthorize_seconds = 60;
};

// The answer to an Access-Request.
struct AccessAnswer {
  enum class Kind { kAccept, kReject, kUnavailable };
  Kind kind = Kind::kUnavailable;
  std::optional<long long> session_timeout_s;  // Session-Timeout of an Access-Accept
  std::optional<long long> credit_time_s;      // h323-credit-time (Cisco VSA) of an Access-Accept
  std::string message;                         // the Reply-Message, or what failed ("no answer from …")
  // The time granted: the smaller of Session-Timeout and h323-credit-time; nullopt when neither was sent.
  std::optional<long long> granted_s() const;
};

struct AccountingRecord {
  enum class Status { kStart, kStop, kInterim };
  Status status = Status::kStart;
  std::string user_name;         // the billing account
  std::string session_id;        // Acct-Session-Id
  std::string multi_session_id;  // Acct-Multi-Session-Id ("" = not sent)
  std::string called_station;    // the access number dialled ("" = not sent)
  std::string calling_station;   // the caller ("" = not sent)
  long long session_time_s = 0;  // Acct-Session-Time (Stop and Interim)
};

const char* to_string(AccountingRecord::Status status);

class RadiusClient {
 public:
  virtual ~RadiusClient() = default;
  virtual AccessAnswer authorize(const std::string& account, const std::string& called_station) = 0;
  // kUnavailable when no server answered.
  virtual Status account(const AccountingRecord& record) = 0;
};

// A libradcli client. kInvalidArgument for a bad server ("host:port") or an empty list or secret.
Result<std::unique_ptr<RadiusClient>> make_radius_client(const RadiusOptions& options);

}  // namespace confpro::billing
