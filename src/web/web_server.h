// The web console's HTTP(S) server: the REST API under /api/v1, the live event stream (SSE) at /api/v1/events,
// and the single-page app's files (ui/dist) for every other path.
//
// Threads: the server runs its own pool of `threads` threads; handlers read the store and directory from those
// threads and reach the live conferences only through conference::ControlApi. start_web() and the returned
// component's stop() are called on the main thread (app/).
#pragma once

#include <memory>
#include <string>

#include "web/web_deps.h"
#include "common/result.h"

namespace confpro::web {

struct WebOptions {
  std::string address = "0.0.0.0";     // listen address ["0.0.0.0"]
  int port = 8080;                      // listen port; 0 = pick a free one (see bound port in the log) [8080]
  std::string tls_cert_file;            // PEM certificate chain; empty = plain HTTP [""]
  std::string tls_key_file;             // PEM private key; required with tls_cert_file [""]
  std::string static_dir = "ui/dist";   // the built console; missing = API only ["ui/dist"]
  std::string time_zone = "Europe/Paris";  // zone in which the console shows and enters times ["Europe/Paris"]
  int threads = 2;                      // HTTP worker threads [2]
  int session_idle_timeout_s = 1800;    // a console session ends after this much inactivity [1800]
  int max_sessions_per_user = 10;       // a login past this many sessions of one user ends its oldest [10]
  // Login throttling (sessions.h LoginThrottle): an address may fail this many logins on one account (4× on
  // any accounts; 2× for an account from many addresses) before waiting 1 s, doubling with each failure. [5]
  int login_max_failures = 5;
  int login_window_s = 900;             // failures are forgotten this long after their back-off ends [900]
  int login_block_s = 900;              // the longest back-off; nobody is ever banned for good [900]
  std::size_t max_body_bytes = 65536;   // larger request bodies are refused with 413 [65536]
  int sse_heartbeat_s = 15;             // comment line on idle event streams, keeps proxies open [15]
  std::size_t max_event_streams = 200;  // open event streams at most; more are refused with 503 [200]
  // Accepts kept pending on the listening socket at once. Each completed accept waits its turn behind every
  // ready request of the open connections, so with one pending accept a burst of new connections arriving
  // while the server is busy is taken one per round of requests: 50 connections of a load run that started
  // right after another one took ~1.5 s to be accepted (p99 0.3–1.2 s). [32]
  int concurrent_accepts = 32;
  // Connections (issue 11: 20,000 idle ones used every descriptor). Over either cap a new connection is
  // closed at once; behind a reverse proxy all clients have the proxy's address: raise the per-source cap.
  std::size_t max_connections = 1000;           // open connections at most [1000]
  std::size_t max_connections_per_source = 64;  // … from one IP address [64]
  // A connection that has not sent a whole request this long after it opened or after its last answer is
  // closed: idle keep-alive, slow headers, slow bodies alike. [30]
  int request_read_timeout_s = 30;
  std::string recordings_dir = "var/recordings";  // recordings served from here only (= media.recordings_dir)
  // The administrators' purge (POST /api/v1/history/purge) removes finished conferences older than this many
  // days (= history.retention_days) [365]
  int history_retention_days = 365;
  std::string port_file;                // when set, the bound port is written there once listening (tests) [""]
  // GET /metrics asks for `Authorization: Bearer <this>` when set (401 otherwise) ["" = open, like /healthz]
  std::string metrics_token;
};

// Checks `options` (port range, TLS files both or neither, time zone, positive limits); kInvalidArgument naming
// each bad field.
Status validate(const WebOptions& options);

// Starts listening and returns once the socket is bound. `services` (store, directory and clock required; the
// booking service and the control API may be null: live endpoints then answer 503) must outlive the component.
// Errors: kInvalidArgument for bad options, kUnavailable when the address cannot be bound or TLS files not read.
Result<std::unique_ptr<RunningWeb>> start_web(const WebOptions& options, const WebDeps& services);

}  // namespace confpro::web
