// Process signals for `confpro serve`: SIGINT, SIGTERM and SIGHUP are blocked in every thread (call
// block_signals() first thing in main, before any thread starts — sofia-sip's su_init included) and waited
// for on the main thread. SIGINT: stop cleanly now. SIGTERM: drain (no new calls, live ones finish, at most
// server.drain_timeout_s), then stop cleanly. A second SIGINT/SIGTERM while stopping: exit at once. SIGHUP:
// reload what can be reloaded (app/reload.h).
// Thread safety: block_signals() once on the main thread; the waits on the main thread only.
#pragma once

#include <chrono>

namespace confpro::app {

void block_signals();
// Blocks until SIGINT, SIGTERM or SIGHUP arrives; returns the signal number.
int wait_for_signal();
// The same for at most `timeout`; 0 when none came.
int wait_for_signal_for(std::chrono::milliseconds timeout);
// Starts a thread that waits for one more SIGINT or SIGTERM and then _exit()s with 128+signal.
void exit_on_second_signal();

}  // namespace confpro::app
