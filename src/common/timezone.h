// Converting UTC instants to and from a named time zone (IANA, e.g. "Europe/Paris"), DST-correct.
// Thread safety: free functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace confpro {

// Checks that `zone` names a time zone of the system database (or "UTC").
Status validate_time_zone(std::string_view zone);

// "YYYY-MM-DD HH:MM" (seconds optional) in `zone` → UTC instant. A local time that does not exist (the hour
// skipped when clocks go forward) is an error; an ambiguous one (the hour repeated when they go back) takes the
// first occurrence.
Result<TimePoint> parse_local_time(std::string_view text, std::string_view zone);

// UTC instant → "YYYY-MM-DD HH:MM" in `zone`.
std::string format_local_time(TimePoint t, std::string_view zone);

// UTC instant → ISO 8601 with offset in `zone`, e.g. "2026-03-29T03:30:00+02:00".
std::string format_iso_local(TimePoint t, std::string_view zone);

// UTC instant → ISO 8601 UTC, e.g. "2026-11-24T20:39:00.000Z".
std::string format_iso_utc(TimePoint t);

// ISO 8601 (with Z or ±hh:mm offset) → UTC instant.
Result<TimePoint> parse_iso_time(std::string_view text);

}  // namespace confpro
