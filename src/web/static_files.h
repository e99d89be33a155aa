// The console's files (ui/dist): exact files with their MIME type; any other path that is not under /api/ and
// has no file extension gets index.html (the SPA decides the page). Hashed assets under /assets/ are cached
// for a year (immutable); index.html is never cached, so a new build is seen at once.
//
// Confinement (issue 11: `GET //etc/passwd` once answered the file): a request path is served only when it is
// a clean relative path (see clean_relative_path) and the file it names, symlinks resolved, is a regular file
// inside the canonical root. file_inside() is the same check for paths that come from stored data
// (recordings). Thread safety: read-only after construction; serve() is safe from any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "web/http_types.h"

namespace confpro::web {

// `path` (an already percent-decoded URL path) without its leading '/', when every byte of it is printable
// ASCII other than '\' and '%' (so no NUL, no encoded-twice "%2e", no overlong UTF-8 such as C0 AF) and it
// has no empty ("//") or "." segment and none starting with ".." ("..", "..;"); a single trailing '/' is
// allowed. nullopt otherwise.
std::optional<std::string> clean_relative_path(std::string_view path);

// The canonical path of `file` when it exists, is a regular file (after following symlinks) and lies inside
// the canonical `root` (never `root` itself); nullopt otherwise, or when either cannot be resolved.
std::optional<std::filesystem::path> file_inside(const std::filesystem::path& root,
                                                 const std::filesystem::path& file);

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

  // The response for GET `path`, or nullopt when nothing matches (the caller answers 404). Paths that are not
  // clean (clean_relative_path) or that lead out of the root, through ".." or a symlink, never match.
  std::optional<HttpResponse> serve(const std::string& path) const;

  static std::string mime_type(const std::filesystem::path& file);

 private:
  std::optional<HttpResponse> file_response(const std::filesystem::path& file, bool immutable) const;
  std::filesystem::path root_;
};

}  // namespace confpro::web
