// The configuration of a node: one TOML file (etc/confpro.example.toml documents every key and its default),
// plus `--set section.key=value` overrides from the command line. Unknown keys and bad values are refused with
// file:line, key and reason; nothing starts with a half-read configuration.
// Thread safety: loaded once on the main thread; read-only afterwards.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/config_notify.h"
#include "app/config_reader.h"
#include "booking/cdr_exporter.h"
#include "billing/http_billing.h"
#include "billing/radius_client.h"
#include "common/log.h"
#include "common/result.h"
#include "directory/ldap_directory.h"
#include "domain/booking_policy.h"
#include "domain/limits.h"
#include "domain/tariff.h"
#include "media/media_engine.h"
#include "sip/sip_endpoint.h"
#include "web/web_server.h"

namespace confpro::app {

struct ServerSettings {
  // This node's name in logs, sessions and the cluster: the same as [node] name (either may be set; set both,
  // they must agree) ["" = [node] name, else the host name]
  std::string node_id;
  std::string time_zone = "Europe/Paris";  // zone used to show and enter times [Europe/Paris]
  std::string data_dir = "var";            // recordings, generated prompts, runtime files [var]
  double time_scale = 1.0;                 // >1 runs conference clocks faster (tests, demos) [1.0]
  std::string admin_user = "admin";        // first administrator, created on first start [admin]
  // The folder relative paths are taken against ["" = the installation folder]; config_paths.h.
  std::string base_dir;
  // SIGTERM drains first (issue 18): /readyz and SIP OPTIONS answer 503, new calls get 503, and the live
  // calls may go on for up to this many seconds before they are ended and the process stops (at once when the
  // last one ends) [0 = stop at once, as SIGINT does]. Keep systemd's TimeoutStopSec above it.
  int drain_timeout_s = 0;
};

// [node] (issue 18): who this node is among several sharing one PostgreSQL. A live conference is claimed by the
// node that opens it (store.h ConferenceClaim); the others send its callers to `sip_uri`.
struct NodeSettings {
  // Unique among the nodes: letters, digits, '.', '-', '_', at most 63 characters ["" = [server] node_id, else
  // the host name]; [server] node_id gets it too
  std::string name;
  // Where this node takes calls: "sip:" or "sips:", a host, an optional port; no user part (the proxy puts the
  // conference number there) ["" = sip:<sip.public_address, else sip.listen_address, else the host name when
  // listening on 0.0.0.0>:<sip.port>]
  std::string sip_uri;
  int claim_ttl_s = 30;    // a claim not renewed for this long expires: another node may open the conference [30]
  int claim_renew_s = 10;  // how often the node renews its claims; at most claim_ttl_s / 2 [10]
};

// One dialled number leading to the service (I1).
struct AccessNumberSettings {
  std::string number;               // digits as dialled (Request-URI user), e.g. "0800123456"
  std::string label;                // e.g. "Paris toll-free"
  std::string kind = "local";       // "toll-free" | "local"
  std::string language = "fr";      // default prompt language on this number: "fr" | "en"
};

struct IvrSettings {
  std::string sounds_dir = "/usr/share/asterisk/sounds";   // Debian's recorded prompts (en/, fr/) [that]
  std::string moh_dir = "/usr/share/asterisk/moh";         // music on hold [that]
  std::string overrides_dir = "etc/prompts";               // operator's own recordings, same names [etc/prompts]
  std::string generated_dir = "var/prompts";               // espeak-ng speech cache [var/prompts]
  int digit_timeout_ms = 5000;      // time for the next digit before the entry is taken as ended [5000]
  int first_digit_timeout_ms = 10000;  // silence after a prompt before it is repeated [10000]
  int max_tries = 3;                // tries for the number and the PIN [3]
  int invite_answer_timeout_ms = 10000;  // invited by number: silence after the intro before it is said again,
                                         // then the call ends (no 1 pressed) [10000]
  int pin_lockout_failures = 10;    // PIN failures per caller number within the window … [10]
  int pin_lockout_conference_failures = 30;  // … per conference, then closed to new callers [30]; 0 = off
  int pin_lockout_window_s = 1800;  // … [1800] lock out for … 
  int pin_lockout_duration_s = 3600;  // [3600]
  bool read_back_pins = true;       // a conference created by phone reads its PINs back to the creator [true]
};

// [directory] and [directory.ldap] (issue 14): who may log in.
struct DirectorySettings {
  // The directories asked in turn, "local" and/or "ldap" [["local"], or ["local", "ldap"] with [directory.ldap]]
  std::vector<std::string> order;
  bool ldap_enabled = false;     // [directory.ldap] is present
  directory::LdapOptions ldap;   // its keys: uri, start_tls, ca_file, bind_dn, … (etc/confpro.example.toml)
};

// [billing] coupling / fail_open and [billing.radius] (issue 16 P3): who decides on a booking paid by an account.
struct BillingSettings {
  std::string coupling = "ledger";  // "ledger" (built-in) | "radius" | "http" [ledger]
  bool fail_open = false;  // RADIUS unreachable: a postpaid account may still book (logged); prepaid never [false]
  billing::RadiusOptions radius;  // servers, secret, timeout_ms, retries, nas_identifier, accounting, interim_seconds
  billing::HttpBillingOptions http;  // [billing.http] (coupling = "http"): url, secret, timeout_ms, …
};

struct Config {
  std::string file;                           // where it came from ("" = embedded defaults)
  std::vector<std::string> overrides;         // its --set options (a SIGHUP reload applies them again)
  ServerSettings server;
  NodeSettings node;  // [node]: name, sip_uri, claim_ttl_s, claim_renew_s (after [sip]: sip_uri's default)
  std::string storage_url = "sqlite://var/confpro.db";  // sqlite://path | postgresql://… [sqlite://var/confpro.db]
  log::Options log;
  domain::ConferenceLimits conference;
  // [booking] default_category and [[booking.category]] (B7) [none: everybody books freely, no limit but
  // [conference]'s]
  domain::BookingPolicy booking;
  // [[billing.plans]] (issue 16): packages pricing a booking paid by a billing account [none]
  std::vector<domain::TariffPlan> plans;
  // [billing.cdr] (issue 16 P3): dir ("" = no CDR files), interval_seconds, rotate_bytes, rotate_daily
  booking::CdrOptions cdr;
  BillingSettings billing;  // [billing] coupling, fail_open; [billing.radius]
  // [[access_numbers]]; the embedded defaults are examples for a first run (a local number per language and
  // a toll-free one); a file that lists any replaces them all. They only seed the store at start: calls are
  // routed from the store (conference/access_numbers.h).
  std::vector<AccessNumberSettings> access_numbers = {
      {"3000", "Accès local (français)", "local", "fr"},
      {"3001", "Local access (English)", "local", "en"},
      {"0800300300", "Numéro vert", "toll-free", "fr"},
  };
  IvrSettings ivr;
  media::EngineOptions media;
  sip::SipOptions sip;
  web::WebOptions web;   // web.time_zone follows server.time_zone
  DirectorySettings directory;
  NotifySettings notify;  // [notify], [notify.smtp], [notify.sms]
};

// Loads `path` (empty: embedded defaults only) and applies `overrides` ("section.key=value", value in TOML
// syntax or a bare word taken as a string). All errors are returned together.
Result<Config> load_config(const std::string& path, const std::vector<std::string>& overrides);

// The errors of the last failed load, one per line "file:line: key: reason".
std::string format_config_errors(const Error& error);

}  // namespace confpro::app
