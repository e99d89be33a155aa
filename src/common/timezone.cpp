#include "common/timezone.h"

// date.h's parser trips GCC 12's -Wmaybe-uninitialized when inlined here (a false positive in the library).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <date/date.h>
#include <date/tz.h>

#include <sstream>

namespace confpro {

namespace {
Result<const date::time_zone*> find_zone(std::string_view zone) {
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return Error::invalid("time_zone", "unknown time zone '" + std::string(zone) + "'");
  }
}
}  // namespace

Status validate_time_zone(std::string_view zone) {
  auto z = find_zone(zone);
  if (!z) return z.error();
  return {};
}

Result<TimePoint> parse_local_time(std::string_view text, std::string_view zone) {
  auto z = find_zone(zone);
  if (!z) return z.error();
  std::istringstream in{std::string(text)};
  date::local_time<std::chrono::seconds> local;
  const bool with_seconds = text.size() > 16;
  in >> date::parse(with_seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", local);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) {
    return Error::invalid("start", "expected a local time as YYYY-MM-DD HH:MM, got '" + std::string(text) + "'");
  }
  auto info = (*z)->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    return Error::invalid("start", "'" + std::string(text) + "' does not exist in " + std::string(zone) +
                                       " (clocks go forward then)");
  }
  auto offset = info.first.offset;  // unique, or the first of an ambiguous pair
  auto sys = date::sys_seconds{local.time_since_epoch() - offset};
  return TimePoint{std::chrono::duration_cast<Millis>(sys.time_since_epoch())};
}

std::string format_local_time(TimePoint t, std::string_view zone) {
  auto z = find_zone(zone);
  if (!z) return date::format("%Y-%m-%d %H:%M", std::chrono::floor<std::chrono::minutes>(t));
  auto zt = date::make_zoned(*z, std::chrono::floor<std::chrono::minutes>(t));
  return date::format("%Y-%m-%d %H:%M", zt);
}

std::string format_iso_local(TimePoint t, std::string_view zone) {
  auto z = find_zone(zone);
  if (!z) return format_iso_utc(t);
  auto zt = date::make_zoned(*z, std::chrono::floor<std::chrono::seconds>(t));
  std::string s = date::format("%Y-%m-%dT%H:%M:%S%z", zt);  // +0200
  if (s.size() >= 5) s.insert(s.size() - 2, ":");
  return s;
}

std::string format_iso_utc(TimePoint t) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

Result<TimePoint> parse_iso_time(std::string_view text) {
  std::string s(text);
  std::istringstream in{s};
  date::sys_time<Millis> tp;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    in >> date::parse("%Y-%m-%dT%H:%M:%SZ", tp);
  } else {
    in >> date::parse("%Y-%m-%dT%H:%M:%S%Ez", tp);
  }
  if (in.fail()) {
    // Accept a bare date-time without seconds as UTC.
    std::istringstream in2{s};
    in2 >> date::parse("%Y-%m-%dT%H:%M", tp);
    if (in2.fail()) return Error::invalid("time", "expected ISO 8601 time, got '" + s + "'");
  }
  return TimePoint{tp.time_since_epoch()};
}

}  // namespace confpro
