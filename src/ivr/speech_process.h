// Running a helper program (espeak-ng, sox) to completion with a deadline, without a shell: the arguments go
// to the program as argv, so no text is ever interpreted by a shell. Thread safety: run_process() is safe
// from any thread; it blocks the caller until the program ends or the timeout passes, so never call it on the
// control loop or a media worker (PromptCatalog::prepare_all() runs it at start).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace confpro::ivr {

struct ProcessOutcome {
  int exit_code = 0;         // the program's exit status; 128 + signal number if a signal ended it
  std::string error_output;  // what it wrote on stderr (the first 4 KiB)
};

// Runs argv[0] (searched in PATH when it has no '/') with argv, stdin and stdout on /dev/null, stderr
// captured, the signal mask and dispositions reset. Errors: kInvalidArgument for an empty argv; kUnavailable
// when the program cannot be started or does not finish within `timeout` (it is then killed with SIGKILL and
// reaped). A non-zero exit status is not an error here: look at exit_code.
Result<ProcessOutcome> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace confpro::ivr
