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

std::optional<std::string> clean_relative_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '\\' || c == '%') return std::nullopt;
  }
  std::string_view rest = path.substr(1);
  for (std::string_view left = rest; !left.empty();) {
    const auto slash = left.find('/');
    const std::string_view segment = left.substr(0, slash);
    // "." and anything starting with ".." ("..;" means ".." to some servers behind a proxy): no file has such
    // a name, so none is worth the doubt.
    if (segment == "." || segment.starts_with("..")) return std::nullopt;
    if (slash == std::string_view::npos) break;
    if (segment.empty()) return std::nullopt;
    left.remove_prefix(slash + 1);  // "a/" leaves "": a single trailing slash is fine
  }
  return std::string(rest);
}

std::optional<std::filesystem::path> file_inside(const std::filesystem::path& root,
                                                 const std::filesystem::path& file) {
  std::error_code ec;
  const auto base = std::filesystem::canonical(root, ec);
  if (ec) return std::nullopt;
  const auto target = std::filesystem::canonical(file, ec);
  if (ec || !std::filesystem::is_regular_file(target, ec) || ec) return std::nullopt;
  // Component by component: /srv/ui2/x is not inside /srv/ui.
  auto t = target.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++t) {
    if (t == target.end() || *t != *b) return std::nullopt;
  }
  if (t == target.end()) return std::nullopt;
  return target;
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
  if (path.rfind("/api/", 0) == 0 || path == "/api") return std::nullopt;
  const auto relative = clean_relative_path(path);
  if (!relative) return std::nullopt;
  if (!relative->empty() && relative->back() != '/') {
    const auto candidate = root_ / *relative;
    if (auto file = file_inside(root_, candidate))
      return file_response(*file, path.rfind("/assets/", 0) == 0);
    // Something is there but may not be served (a link out of the root, a device): not found, not the page.
    std::error_code ec;
    if (std::filesystem::exists(candidate, ec) && !std::filesystem::is_directory(candidate, ec))
      return std::nullopt;
  }
  if (std::filesystem::path(*relative).has_extension()) return std::nullopt;  // a missing file, not a page
  auto index = file_inside(root_, root_ / "index.html");
  if (!index) return std::nullopt;
  return file_response(*index, false);
}

}  // namespace confpro::web
