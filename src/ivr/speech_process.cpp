#include "ivr/speech_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

extern char** environ;

namespace confpro::ivr {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kMaxErrorOutput = 4096;

std::string errno_text(int err) {
  return std::strerror(err);
}

// Owns a file descriptor; closes it once.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn attributes and file actions, destroyed together.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

int remaining_ms(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 24LL * 3600 * 1000));  // poll() takes an int
}

// Reads the child's stderr until end of file or the deadline. Returns false on timeout.
bool drain_until_eof(int fd, std::string& out, SteadyClock::time_point deadline) {
  char buf[1024];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return true;
    std::size_t room = kMaxErrorOutput - std::min(out.size(), kMaxErrorOutput);
    out.append(buf, std::min(static_cast<std::size_t>(n), room));
  }
}

constexpr int kLostChild = -1;  // not a status waitpid() can report

// Waits for the child until the deadline. Returns its raw status (kLostChild if someone else reaped it, e.g.
// SIGCHLD set to SIG_IGN), or nullopt on timeout.
std::optional<int> reap_until(pid_t pid, SteadyClock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return kLostChild;
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

Result<pid_t> spawn(const std::vector<std::string>& argv, int stderr_fd) {
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, stderr_fd, 2);

  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigset_t default_signals;
  sigfillset(&default_signals);
  posix_spawnattr_setsigmask(&setup.attr, &empty_mask);
  posix_spawnattr_setsigdefault(&setup.attr, &default_signals);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attr, args.data(), environ);
  if (err != 0) return Error::unavailable("cannot run '" + argv[0] + "': " + errno_text(err));
  return pid;
}

}  // namespace

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty()) return Error::invalid("argv", "no program to run");
  const auto deadline = SteadyClock::now() + timeout;

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::internal("pipe2: " + errno_text(errno));
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);

  auto pid = spawn(argv, write_end.get());
  if (!pid) return pid.error();
  write_end.reset();  // the child holds the only write end now, so EOF means it closed stderr (or exited)

  ProcessOutcome outcome;
  const bool drained = drain_until_eof(read_end.get(), outcome.error_output, deadline);
  std::optional<int> status = drained ? reap_until(*pid, deadline) : std::nullopt;
  if (!status) {
    kill_and_reap(*pid);
    return Error::unavailable("'" + argv[0] + "' did not finish within " + std::to_string(timeout.count()) +
                              " ms and was stopped");
  }
  if (*status == kLostChild) {
    return Error::internal("lost track of '" + argv[0] + "': its exit status was taken by someone else");
  }
  if (WIFEXITED(*status)) {
    outcome.exit_code = WEXITSTATUS(*status);
  } else if (WIFSIGNALED(*status)) {
    outcome.exit_code = 128 + WTERMSIG(*status);
  }
  return outcome;
}

}  // namespace confpro::ivr
