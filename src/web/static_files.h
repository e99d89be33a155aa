// The console's files (ui/dist): exact files with their MIME type; any other path that is not under /api/ and
// has no file extension gets index.html (the SPA decides the page). Hashed assets under /assets/ are cached for
// a year (immutable); index.html is never cached, so a new build is seen at once.
// Thread safety: read-only after construction; serve() is safe from any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "web/http_types.h"

namespace confpro::web {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

  // The response for GET `path`, or nullopt when nothing matches (the caller answers 404). Paths that try to
  // leave the root ("..") never match.
  std::optional<HttpResponse> serve(const std::string& path) const;

  static std::string mime_type(const std::filesystem::path& file);

 private:
  std::optional<HttpResponse> file_response(const std::filesystem::path& file, bool immutable) const;
  std::filesystem::path root_;
};

}  // namespace confpro::web
