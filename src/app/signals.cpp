#include "app/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace confpro::app {

namespace {
sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void block_signals() {
  sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_stop_signal() {
  sigset_t set = stop_set();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void exit_on_second_signal() {
  std::thread([] {
    int sig = wait_for_stop_signal();
    static const char kMsg[] = "confpro: second signal, exiting now\n";
    (void)!write(2, kMsg, sizeof kMsg - 1);
    _exit(128 + sig);
  }).detach();
}

}  // namespace confpro::app
