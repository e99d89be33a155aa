// A real `confpro serve` for the end-to-end conference tests: a private temp directory (config, SQLite database,
// data dir, logs), SIP and web on free ports of 127.0.0.1, the CLI run against the same config, and sqlite3 for
// reading the sessions and connections the server wrote.
//
// Thread safety: one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace confpro::conftest {

struct ServerOptions {
  double time_scale = 1.0;                       // server.time_scale
  std::map<std::string, std::string> settings;   // extra --set key=value (e.g. "ivr.digit_timeout_ms" → "2000")
  std::string sip_extra;                         // TOML lines added to [sip] (dial_plan = [...])
  std::string trunk_uri;                         // [sip.trunk] proxy_uri ("" = no dial-out)
  std::string extra_toml;                        // TOML appended to the configuration (other sections)
  // The default relative paths (data_dir "var", its database, names and recordings, console "ui/dist") under
  // server.base_dir = the temp dir, with `confpro serve` started from "/" (issue 12: paths resolved once).
  bool default_paths = false;
  bool web = false;                              // web console on a free port (web_port()) instead of port 0
  std::map<std::string, std::string> env;        // extra environment of `confpro serve` only (not of the CLI),
                                                 // e.g. CONFPRO_TEST_STORE_DELAY_MS (app/context.cpp)
};

// A port free for both UDP and TCP on 127.0.0.1 right now (0 if none found).
std::uint16_t free_port();

struct CliResult {
  int exit_code = -1;
  std::string out;  // standard output
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();  // kills the server; removes the temp dir unless CONFPRO_KEEP_TEST_DIR is set
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts `confpro serve`; false (with the log printed) if it is not ready within `timeout`.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60));
  void kill9();  // SIGKILL, reaped
  bool stop();   // SIGTERM and wait (true when it exited 0)
  bool running() const { return pid_ > 0; }
  std::uint16_t sip_port() const { return sip_port_; }
  std::uint16_t web_port() const { return web_port_; }  // 0 unless ServerOptions::web

  // `confpro --config F <args>`.
  CliResult cli(const std::vector<std::string>& args) const;
  // cli() with --json appended, parsed (null on failure).
  nlohmann::json cli_json(std::vector<std::string> args) const;
  // A user who may create by phone.
  bool add_user(const std::string& name, const std::string& phone_account = "", const std::string& phone_pin = "");
  // `booking create … --json` with the given extra flags; null json on failure.
  nlohmann::json create_booking(const std::string& name, std::vector<std::string> flags);
  // sqlite3 on the server's database: rows of '|'-separated columns.
  std::vector<std::string> sql(const std::string& query) const;
  // sql() again every 50 ms until it returns `expected` or `timeout` passes; returns the last answer. The server
  // writes connection and session history from a writer thread, a few ms after the event a test waited for.
  std::vector<std::string> sql_until(const std::string& query, const std::vector<std::string>& expected,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  std::string log() const;                          // the server's stderr so far
  bool log_contains(const std::string& text) const;
  const std::string& dir() const { return dir_; }
  const std::string& db_path() const { return db_; }

 private:
  ServerOptions options_;
  std::string dir_, config_, db_, log_path_;
  pid_t pid_ = -1;
  std::uint16_t sip_port_ = 0;
  std::uint16_t web_port_ = 0;
};

}  // namespace confpro::conftest
