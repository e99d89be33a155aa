#include "app/cli.h"

#include <cstdio>
#include <iostream>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/config_paths.h"
#include "app/context.h"

#ifndef CONFPRO_VERSION
#define CONFPRO_VERSION "0.0.0"
#endif

namespace confpro::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"Conference Pro — audio conferencing server", "confpro"};
  app.require_subcommand(1);
  std::string config_path;
  std::vector<std::string> overrides;
  app.add_option("--config,-c", config_path, "configuration file (TOML); default: embedded defaults")
      ->check(CLI::ExistingFile);
  app.add_option("--set", overrides, "override a setting: section.key=value (repeatable)");
  app.fallthrough();

  Runner selected;
  add_serve_command(app, selected);

  auto* migrate = app.add_subcommand("migrate", "apply database migrations");
  migrate->callback([&] {
    selected = [](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) {
        print_error(ctx.error());
        return exit_code_for(ctx.error());
      }
      auto v = (*ctx)->store->schema_version();
      std::printf("schema version %d\n", v ? *v : -1);
      return 0;
    };
  });

  auto* check = app.add_subcommand("check-config", "validate the configuration and exit");
  check->callback([&] {
    selected = [](const Config& config) {
      std::printf("%s: ok (relative paths from %s)\n",
                  config.file.empty() ? "<defaults>" : config.file.c_str(), config.server.base_dir.c_str());
      return 0;
    };
  });

  auto* version = app.add_subcommand("version", "print the version");
  version->callback([&] {
    selected = [](const Config&) {
      std::printf("confpro %s\n", CONFPRO_VERSION);
      return 0;
    };
  });

  add_user_commands(app, selected);
  add_account_commands(app, selected);
  add_cdr_commands(app, selected);
  add_tariff_commands(app, selected);
  add_booking_commands(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!selected) return 2;

  auto config = load_config(config_path, overrides);
  if (!config) {
    std::fprintf(stderr, "configuration refused:\n");
    for (const auto& f : config.error().fields) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
    return 2;
  }
  config->overrides = overrides;
  resolve_paths(*config, base_directory(config->server.base_dir));  // once: the components see absolute paths
  if (auto s = log::init(config->log); !s) {
    print_error(s.error());
    return 2;
  }
  try {
    return selected(*config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace confpro::app
