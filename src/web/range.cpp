#include "web/range.h"

#include <charconv>
#include <filesystem>
#include <fstream>

namespace confpro::web {

namespace {
std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<ByteRange> parse_range(const std::string& header, std::uint64_t size, bool& unsatisfiable) {
  unsatisfiable = false;
  std::string_view h = header;
  if (h.rfind("bytes=", 0) != 0 || h.find(',') != std::string_view::npos) return std::nullopt;
  h.remove_prefix(6);
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto a = h.substr(0, dash), b = h.substr(dash + 1);
  if (a.empty()) {  // suffix: the last n bytes
    auto n = number(b);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    return ByteRange{size - std::min(*n, size), size - 1};
  }
  auto first = number(a);
  if (!first) return std::nullopt;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    auto l = number(b);
    if (!l || *l < *first) return std::nullopt;
    last = std::min(*l, last);
  }
  if (*first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  return ByteRange{*first, last};
}

HttpResponse file_with_range(const std::string& path, const std::string& range_header) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || !std::ifstream(path, std::ios::binary)) {
    return error_response(Error::not_found("the recording file is missing"));
  }
  HttpResponse r;
  auto ext = std::filesystem::path(path).extension().string();
  r.content_type = ext == ".wav" ? "audio/wav" : ext == ".ogg" ? "audio/ogg" : ext == ".mp3" ? "audio/mpeg"
                                                                           : "application/octet-stream";
  r.add_header("Accept-Ranges", "bytes");
  bool unsatisfiable = false;
  auto range = range_header.empty() ? std::nullopt : parse_range(range_header, size, unsatisfiable);
  if (unsatisfiable) {
    r.status = 416;
    r.content_type = "text/plain";
    r.add_header("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  ByteRange whole{0, size == 0 ? 0 : size - 1};
  ByteRange part = range.value_or(whole);
  // Not read here: the server sends this part straight from the file (no copy in memory, whatever the size).
  r.file = FileBody{path, part.first, size == 0 ? 0 : part.last - part.first + 1};
  if (range) {
    r.status = 206;
    r.add_header("Content-Range", "bytes " + std::to_string(part.first) + "-" + std::to_string(part.last) + "/" +
                                      std::to_string(size));
  }
  return r;
}

}  // namespace confpro::web
