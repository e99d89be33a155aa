// Process signals for `confpro serve`: SIGINT/SIGTERM are blocked in every thread (call block_signals() first
// thing in main, before any thread starts — sofia-sip's su_init included) and waited for on the main thread.
// First signal: drain and stop cleanly; a second one while stopping: exit at once.
// Thread safety: block_signals() once on the main thread; wait_for_stop_signal() on the main thread.
#pragma once

namespace confpro::app {

void block_signals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int wait_for_stop_signal();
// Starts a thread that waits for one more signal and then _exit()s with 128+signal.
void exit_on_second_signal();

}  // namespace confpro::app
