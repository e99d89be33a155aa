// Serving a file with HTTP Range (RFC 9110 §14): one "bytes=a-b", "bytes=a-" or "bytes=-n" range → 206 with
// Content-Range; no Range → 200 with the whole file; an unsatisfiable range → 416. Multi-range requests are
// answered with the whole file (allowed by the RFC).
// Thread safety: pure functions (they look at the file's size; the server sends the body from the file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "web/http_types.h"

namespace confpro::web {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

// The header is read by RESTinio's parser (restinio::http_field_parsers::range_value_t); the rules here are
// what to serve. nullopt with `unsatisfiable` false: no usable range (serve everything); with true: answer 416.
std::optional<ByteRange> parse_range(const std::string& header, std::uint64_t size, bool& unsatisfiable);

// 200/206/416 for `path` (404 when it cannot be read), the body as HttpResponse::file (never read into
// memory). Content type from the extension (wav, ogg, mp3).
HttpResponse file_with_range(const std::string& path, const std::string& range_header);

}  // namespace confpro::web
