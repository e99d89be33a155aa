#include "billing/radius_client.h"

#include <radcli/radcli.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "common/log.h"

namespace confpro::billing {

namespace {

// The attributes sent and read, for libradcli's dictionary (so no file under /etc/radcli is needed).
constexpr char kDictionary[] = R"(ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE NAS-Port 5 integer
ATTRIBUTE Service-Type 6 integer
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE Class 25 string
ATTRIBUTE Vendor-Specific 26 string
ATTRIBUTE Session-Timeout 27 integer
ATTRIBUTE Called-Station-Id 30 string
ATTRIBUTE Calling-Station-Id 31 string
ATTRIBUTE NAS-Identifier 32 string
ATTRIBUTE Acct-Status-Type 40 integer
ATTRIBUTE Acct-Delay-Time 41 integer
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Acct-Session-Time 46 integer
ATTRIBUTE Acct-Terminate-Cause 49 integer
ATTRIBUTE Acct-Multi-Session-Id 50 string
ATTRIBUTE NAS-Port-Type 61 integer
VENDOR Cisco 9
ATTRIBUTE h323-credit-amount 101 string Cisco
ATTRIBUTE h323-credit-time 102 string Cisco
ATTRIBUTE h323-return-code 103 string Cisco
)";
constexpr int kCiscoVendor = 9;
constexpr int kH323CreditTime = 102;

struct HandleDeleter {
  void operator()(rc_handle* h) const { rc_destroy(h); }
};
using Handle = std::unique_ptr<rc_handle, HandleDeleter>;

struct PairsDeleter {
  void operator()(VALUE_PAIR* p) const { rc_avpair_free(p); }
};
using Pairs = std::unique_ptr<VALUE_PAIR, PairsDeleter>;

bool parse_server(const std::string& s, std::string& host, int& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = s.substr(0, colon);
  const std::string p = s.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port < 1 || port > 65534) return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; });
}

// "42", "h323-credit-time=42" → 42.
std::optional<long long> cisco_number(const std::string& value) {
  const auto eq = value.find('=');
  const std::string digits = eq == std::string::npos ? value : value.substr(eq + 1);
  long long n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  return n;
}

class RadcliClient final : public RadiusClient {
 public:
  RadcliClient(RadiusOptions options, std::string auth_servers, std::string acct_servers)
      : options_(std::move(options)), auth_(std::move(auth_servers)), acct_(std::move(acct_servers)) {}

  ~RadcliClient() override = default;

  // A first handle, so that a bad configuration is reported at start.
  Status init() {
    auto h = make_handle();
    if (!h.ok()) return h.error();
    give_back(std::move(*h));
    return {};
  }

  AccessAnswer authorize(const std::string& account, const std::string& called_station) override {
    AccessAnswer answer;
    auto h = take();
    if (!h.ok()) {
      answer.message = h.error().message;
      return answer;
    }
    rc_handle* rh = h->get();
    VALUE_PAIR* send = nullptr;
    add_string(rh, &send, PW_USER_NAME, account);
    if (!called_station.empty()) add_string(rh, &send, PW_CALLED_STATION_ID, called_station);
    add_string(rh, &send, PW_NAS_IDENTIFIER, options_.nas_identifier);
    Pairs sent(send);
    VALUE_PAIR* received = nullptr;
    char msg[PW_MAX_MSG_SIZE] = {};
    const int rc = rc_aaa(rh, 0, send, &received, msg, 0, PW_ACCESS_REQUEST);
    Pairs reply(received);
    give_back(std::move(*h));
    answer.message = msg;
    if (rc == OK_RC) {
      answer.kind = AccessAnswer::Kind::kAccept;
      if (VALUE_PAIR* vp = rc_avpair_get(reply.get(), PW_SESSION_TIMEOUT, 0)) {
        std::uint32_t v = 0;
        if (rc_avpair_get_uint32(vp, &v) == 0) answer.session_timeout_s = v;
      }
      if (VALUE_PAIR* vp = rc_avpair_get(reply.get(), kH323CreditTime, kCiscoVendor)) {
        char* raw = nullptr;
        unsigned size = 0;
        if (rc_avpair_get_raw(vp, &raw, &size) == 0 && raw) answer.credit_time_s = cisco_number({raw, size});
      }
    } else if (rc == REJECT_RC) {
      answer.kind = AccessAnswer::Kind::kReject;
    } else {
      answer.kind = AccessAnswer::Kind::kUnavailable;
      answer.message =
          rc == TIMEOUT_RC ? "no answer from " + servers_text() : "RADIUS error (" + std::to_string(rc) + ")";
    }
    return answer;
  }

  Status account(const AccountingRecord& r) override {
    auto h = take();
    if (!h.ok()) return h.error();
    rc_handle* rh = h->get();
    VALUE_PAIR* send = nullptr;
    const std::uint32_t status = r.status == AccountingRecord::Status::kStart  ? PW_STATUS_START
                                 : r.status == AccountingRecord::Status::kStop ? PW_STATUS_STOP
                                                                               : PW_STATUS_ALIVE;
    rc_avpair_add(rh, &send, PW_ACCT_STATUS_TYPE, &status, 0, 0);
    add_string(rh, &send, PW_USER_NAME, r.user_name);
    add_string(rh, &send, PW_ACCT_SESSION_ID, r.session_id);
    if (!r.multi_session_id.empty()) add_string(rh, &send, PW_ACCT_MULTI_SESSION_ID, r.multi_session_id);
    if (!r.called_station.empty()) add_string(rh, &send, PW_CALLED_STATION_ID, r.called_station);
    if (!r.calling_station.empty()) add_string(rh, &send, PW_CALLING_STATION_ID, r.calling_station);
    add_string(rh, &send, PW_NAS_IDENTIFIER, options_.nas_identifier);
    if (r.status != AccountingRecord::Status::kStart) {
      const auto t = static_cast<std::uint32_t>(std::clamp<long long>(r.session_time_s, 0, UINT32_MAX));
      rc_avpair_add(rh, &send, PW_ACCT_SESSION_TIME, &t, 0, 0);
    }
    Pairs sent(send);
    const int rc = rc_acct(rh, 0, send);
    give_back(std::move(*h));
    if (rc == OK_RC) return {};
    return Error::unavailable("RADIUS accounting " + std::string(to_string(r.status)) + " of '" +
                              r.session_id + "' not answered by " + servers_text() + " (" +
                              std::to_string(rc) + ")");
  }

 private:
  static void add_string(rc_handle* rh, VALUE_PAIR** list, int attr, const std::string& value) {
    rc_avpair_add(rh, list, attr, value.c_str(), static_cast<int>(value.size()), 0);
  }

  std::string servers_text() const {
    std::string s;
    for (const auto& server : options_.servers) s += (s.empty() ? "" : ", ") + server;
    return s;
  }

  Result<Handle> make_handle() {
    Handle h(rc_new());
    if (!h) return Error::internal("libradcli: out of memory");
    if (!rc_config_init(h.get())) {
      (void)h.release();  // rc_config_init frees the handle on failure
      return Error::internal("libradcli: cannot initialise");
    }
    const std::string timeout_s = std::to_string(std::max(1, (options_.timeout_ms + 999) / 1000));
    const std::string retries = std::to_string(options_.retries);  // resends after the first try
    const std::pair<const char*, std::string> settings[] = {
        {"authserver", auth_},       {"acctserver", acct_},    {"radius_timeout", timeout_s},
        {"radius_retries", retries}, {"radius_deadtime", "0"}, {"bindaddr", "*"},
    };
    for (const auto& [name, value] : settings) {
      if (rc_add_config(h.get(), name, value.c_str(), "[billing.radius]", 0) != 0)
        return Error::invalid("billing.radius", std::string("libradcli refused its setting ") + name);
    }
    if (rc_read_dictionary_from_buffer(h.get(), kDictionary, sizeof kDictionary - 1) != 0)
      return Error::internal("libradcli: cannot read the dictionary");
    if (rc_apply_config(h.get()) != 0)
      return Error::invalid("billing.radius", "libradcli refused the settings");
    return h;
  }

  Result<Handle> take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        Handle h = std::move(free_.back());
        free_.pop_back();
        return h;
      }
    }
    return make_handle();
  }

  void give_back(Handle h) {
    std::lock_guard lock(mutex_);
    if (free_.size() < 8) free_.push_back(std::move(h));
  }

  const RadiusOptions options_;
  const std::string auth_, acct_;
  std::mutex mutex_;
  std::vector<Handle> free_;  // handles not in use (libradcli's are not shared between threads)
};

}  // namespace

std::optional<long long> AccessAnswer::granted_s() const {
  if (session_timeout_s && credit_time_s) return std::min(*session_timeout_s, *credit_time_s);
  if (session_timeout_s) return session_timeout_s;
  return credit_time_s;
}

const char* to_string(AccountingRecord::Status status) {
  switch (status) {
    case AccountingRecord::Status::kStart:
      return "Start";
    case AccountingRecord::Status::kStop:
      return "Stop";
    case AccountingRecord::Status::kInterim:
      return "Interim-Update";
  }
  return "?";
}

Result<std::unique_ptr<RadiusClient>> make_radius_client(const RadiusOptions& options) {
  if (options.servers.empty())
    return Error::invalid("billing.radius.servers", "name at least one \"host:port\"");
  if (options.servers.size() > 8) return Error::invalid("billing.radius.servers", "at most 8 servers");
  if (options.secret.empty()) return Error::invalid("billing.radius.secret", "is required");
  if (options.secret.find_first_of(":, \t") != std::string::npos)
    return Error::invalid("billing.radius.secret",
                          "may not contain ':', ',' or spaces (libradcli's server syntax)");
  std::string auth, acct;
  for (const auto& s : options.servers) {
    std::string host;
    int port = 0;
    if (!parse_server(s, host, port))
      return Error::invalid("billing.radius.servers", "'" + s + "' is not \"host:port\"");
    auth += (auth.empty() ? "" : ",") + host + ":" + std::to_string(port) + ":" + options.secret;
    acct += (acct.empty() ? "" : ",") + host + ":" + std::to_string(port + 1) + ":" + options.secret;
  }
  auto client = std::make_unique<RadcliClient>(options, auth, acct);
  if (auto st = client->init(); !st.ok()) return st.error();
  return std::unique_ptr<RadiusClient>(std::move(client));
}

}  // namespace confpro::billing
