// Where the configured files and folders are (issue 12): every relative path in the configuration is resolved
// once, at start, against one base folder, and the components get absolute paths only — the working directory
// `confpro` was started from never matters.
//
// The base folder: `server.base_dir` when set (a relative one is taken against the working directory), else the
// installation folder — the nearest folder above the running `confpro` executable that holds
// etc/confpro.example.toml (a checkout: <checkout>/build/src/app/confpro; an installed tree:
// <root>/bin/confpro with <root>/etc, <root>/var, <root>/ui/dist) — else the working directory.
// Thread safety: main thread, before anything starts.
#pragma once

#include <filesystem>
#include <string>

#include "app/config.h"
#include "common/result.h"

namespace confpro::app {

// The base folder for `configured` (server.base_dir) and the executable at `executable` (empty: this process's,
// from /proc/self/exe). Always absolute.
std::filesystem::path base_directory(const std::string& configured, std::filesystem::path executable = {});

// Makes every path setting of `config` absolute against `base` (server.base_dir is set to it): data, storage
// (sqlite://), log file, prompts, recordings, console, TLS files, port file. Absolute paths and empty ones
// ("" = off) are left as they are.
void resolve_paths(Config& config, const std::filesystem::path& base);

// Creates the folders `serve` writes into (data, names, recordings, generated prompts, the SQLite database's);
// an error naming the setting and the folder when one cannot be created or is not writable.
Status create_data_folders(const Config& config);

// The folder recorded names go to: <server.data_dir>/names.
std::string names_directory(const Config& config);

}  // namespace confpro::app
