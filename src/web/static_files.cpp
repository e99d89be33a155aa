#include "web/static_files.h"

#include <fstream>
#include <sstream>

namespace confpro::web {

std::string StaticFiles::mime_type(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

std::optional<HttpResponse> StaticFiles::file_response(const std::filesystem::path& file, bool immutable) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream data;
  data << in.rdbuf();
  HttpResponse r;
  r.content_type = mime_type(file);
  r.body = data.str();
  r.add_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

std::optional<HttpResponse> StaticFiles::serve(const std::string& path) const {
  if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos || path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  if (path.rfind("/api/", 0) == 0 || path == "/api") return std::nullopt;
  std::filesystem::path relative = path.substr(1);
  std::error_code ec;
  if (!relative.empty() && std::filesystem::is_regular_file(root_ / relative, ec)) {
    return file_response(root_ / relative, path.rfind("/assets/", 0) == 0);
  }
  if (relative.has_extension()) return std::nullopt;  // a missing file, not a page
  return file_response(root_ / "index.html", false);
}

}  // namespace confpro::web
