#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#ifndef CONFPRO_BIN
#error "CONFPRO_BIN (path of the confpro executable) must be defined"
#endif
#ifndef CONFPRO_PROMPT_CACHE
#error "CONFPRO_PROMPT_CACHE (shared espeak-ng prompt cache) must be defined"
#endif

namespace confpro::conftest {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

// Runs argv, returns its exit code and standard output (standard error goes to ours).
CliResult run_capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
  ::close(fds[1]);
  CliResult r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) r.out.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

// (sip.port = 0 — "any free port" — is refused by `confpro serve`; inside the test's own network namespace
// nobody can take the port meanwhile.)
std::uint16_t free_port() {
  for (int tries = 0; tries < 50; ++tries) {
    const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(tcp);
      continue;
    }
    const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool ok = ::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(udp);
    ::close(tcp);
    if (ok) return ntohs(a.sin_port);
  }
  return 0;
}

Server::Server(ServerOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/confpro-conf-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  config_ = dir_ + "/confpro.toml";
  db_ = dir_ + (options_.default_paths ? "/var/confpro.db" : "/confpro.db");
  log_path_ = dir_ + "/serve.log";
  fs::create_directories(CONFPRO_PROMPT_CACHE);
  // RTP ports: a random window (busy ports are skipped by the engine; inside the test's own network namespace
  // nobody else is there anyway).
  std::random_device rd;
  const int rtp_min = 30000 + static_cast<int>(rd() % 150) * 200;
  std::ofstream c(config_);
  c << "[server]\nnode_id = \"test\"\ntime_zone = \"Europe/Paris\"\n";
  if (options_.default_paths)
    c << "base_dir = \"" << dir_ << "\"\n";
  else
    c << "data_dir = \"" << dir_ << "/var\"\n";
  c << "time_scale = " << options_.time_scale << "\nadmin_user = \"admin\"\n";
  if (!options_.default_paths) c << "[storage]\nurl = \"sqlite://" << db_ << "\"\n";
  c << "[log]\nlevel = \"info\"\n"
    << "[[access_numbers]]\nnumber = \"3001\"\nlabel = \"Local access (English)\"\nkind = \"local\"\n"
    << "language = \"en\"\n"
    << "[[access_numbers]]\nnumber = \"3000\"\nlabel = \"Accès local\"\nkind = \"local\"\nlanguage = \"fr\"\n"
    << "[ivr]\ngenerated_dir = \"" << CONFPRO_PROMPT_CACHE << "\"\noverrides_dir = \"" << dir_
    << "/prompts\"\n"
    << "[media]\nrtp_port_min = " << rtp_min << "\nrtp_port_max = " << rtp_min + 198 << "\n";
  if (!options_.default_paths) c << "recordings_dir = \"" << dir_ << "/var/recordings\"\n";
  c << "[sip]\nlisten_address = \"127.0.0.1\"\nport = " << free_port() << "\n" << options_.sip_extra << "\n";
  if (!options_.trunk_uri.empty()) c << "[sip.trunk]\nproxy_uri = \"" << options_.trunk_uri << "\"\n";
  if (options_.web) web_port_ = free_port();
  c << "[web]\naddress = \"127.0.0.1\"\nport = " << web_port_ << "\n";
  if (!options_.default_paths) c << "static_dir = \"" << dir_ << "/ui\"\n";
  c << options_.extra_toml << "\n";
}

Server::~Server() {
  if (pid_ > 0) kill9();
  if (!std::getenv("CONFPRO_KEEP_TEST_DIR")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  } else {
    std::fprintf(stderr, "test dir kept: %s\n", dir_.c_str());
  }
}

bool Server::start(std::chrono::seconds timeout) {
  const std::string out_path = dir_ + "/serve.out";
  std::vector<std::string> argv{CONFPRO_BIN, "--config", config_};
  for (const auto& [k, v] : options_.settings) {
    argv.push_back("--set");
    argv.push_back(k + "=" + v);
  }
  argv.push_back("serve");
  // A restart: the previous run's "confpro ready" must not be read as this one's (the child truncates the file
  // only once it runs — the test then called a server not yet listening: ICMP refused, 503).
  ::unlink(out_path.c_str());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string var = *e;
    if (!options_.env.contains(var.substr(0, var.find('=')))) env_strings.push_back(var);
  }
  for (const auto& [k, v] : options_.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (options_.default_paths && ::chdir("/") != 0) std::_Exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execve(args[0], args.data(), envp.data());
    std::_Exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = read_file(out_path);
    if (auto at = out.find("confpro ready: SIP port "); at != std::string::npos) {
      sip_port_ = static_cast<std::uint16_t>(std::atoi(out.c_str() + at + 24));
      return sip_port_ != 0;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::fprintf(stderr, "confpro serve exited before ready:\n%s\n%s\n", out.c_str(), log().c_str());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "confpro serve not ready after %lld s:\n%s\n", static_cast<long long>(timeout.count()),
               log().c_str());
  return false;
}

void Server::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool Server::stop() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill9();
  return false;
}

CliResult Server::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{CONFPRO_BIN, "--config", config_};
  for (const auto& [k, v] : options_.settings) {
    argv.push_back("--set");
    argv.push_back(k + "=" + v);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return run_capture(argv);
}

nlohmann::json Server::cli_json(std::vector<std::string> args) const {
  args.push_back("--json");
  auto r = cli(args);
  if (r.exit_code != 0) {
    std::fprintf(stderr, "confpro %s failed (%d): %s\n", args.empty() ? "" : args[0].c_str(), r.exit_code,
                 r.out.c_str());
    return nullptr;
  }
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

bool Server::add_user(const std::string& name, const std::string& phone_account, const std::string& phone_pin) {
  std::vector<std::string> args{"user", "add", name, "--password", "secret-password-1"};
  if (!phone_account.empty()) {
    args.insert(args.end(), {"--phone-account", phone_account, "--phone-pin", phone_pin});
  }
  return cli(args).exit_code == 0;
}

nlohmann::json Server::create_booking(const std::string& name, std::vector<std::string> flags) {
  std::vector<std::string> args{"booking", "create", "--name", name};
  args.insert(args.end(), flags.begin(), flags.end());
  return cli_json(args);
}

std::vector<std::string> Server::sql(const std::string& query) const {
  auto r = run_capture({"sqlite3", "-batch", "-cmd", ".timeout 5000", db_, query});
  std::vector<std::string> rows;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) rows.push_back(line);
  return rows;
}

std::vector<std::string> Server::sql_until(const std::string& query, const std::vector<std::string>& expected,
                                           std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto rows = sql(query);
  while (rows != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rows = sql(query);
  }
  return rows;
}

std::string Server::log() const { return read_file(log_path_); }

bool Server::log_contains(const std::string& text) const { return log().find(text) != std::string::npos; }

}  // namespace confpro::conftest
