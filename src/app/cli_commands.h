// The subcommands behind cli.cpp's parser. Each registers its options on a CLI11 subcommand and returns a
// runner that is called with the loaded configuration once parsing succeeded.
// Thread safety: main thread only.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "app/config.h"

namespace confpro::app {

using Runner = std::function<int(const Config&)>;
// `selected` receives the runner of the subcommand the user chose.
void add_booking_commands(CLI::App& app, Runner& selected);
void add_user_commands(CLI::App& app, Runner& selected);
void add_account_commands(CLI::App& app, Runner& selected);
void add_cdr_commands(CLI::App& app, Runner& selected);
void add_tariff_commands(CLI::App& app, Runner& selected);
void add_serve_command(CLI::App& app, Runner& selected);

// `confpro serve`: runs until SIGINT/SIGTERM.
int serve(const Config& config);

}  // namespace confpro::app
