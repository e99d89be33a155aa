// The `confpro` command line: serve, migrate, check-config, version, user …, booking … (README.md lists the
// spellings scripts rely on). Exit codes: 0 success; 1 failure at run time (database unavailable, …);
// 2 bad input (usage, configuration, a field) — nothing was written.
// Thread safety: main thread only.
#pragma once

namespace confpro::app {

int run_cli(int argc, char** argv);

}  // namespace confpro::app
