#include "web/range.h"

#include <restinio/helpers/http_field_parsers/range.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace confpro::web {

std::optional<ByteRange> parse_range(const std::string& header, std::uint64_t size, bool& unsatisfiable) {
  using Range = restinio::http_field_parsers::range_value_t<std::uint64_t>;
  unsatisfiable = false;
  const auto parsed = Range::try_parse(header);
  if (!parsed) return std::nullopt;
  const auto* bytes = restinio::get_if<Range::byte_ranges_specifier_t>(&parsed->value);
  if (!bytes || bytes->ranges.size() != 1) return std::nullopt;  // another unit, or several ranges: everything
  const auto& spec = bytes->ranges.front();
  std::uint64_t first = 0;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (const auto* suffix = restinio::get_if<Range::suffix_length_t>(&spec)) {  // the last n bytes
    if (suffix->length == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    return ByteRange{size - std::min(suffix->length, size), size - 1};
  }
  if (const auto* both = restinio::get_if<Range::double_ended_range_t>(&spec)) {
    if (both->last < both->first) return std::nullopt;  // invalid: ignored (RFC 9110 §14.2)
    first = both->first;
    last = std::min(both->last, last);
  } else {
    first = restinio::get<Range::open_ended_range_t>(spec).first;
  }
  if (first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  return ByteRange{first, last};
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
