// The text view of a booking for the CLI. Its JSON view (`--json`) is web::booking_to_json(b,
// web::BookingJsonFor::kCli, zone), the one shared with the API. Times are shown in the configured zone.
// Thread safety: pure functions.
#pragma once

#include <string>

#include "domain/booking.h"

namespace confpro::app {

std::string booking_to_text(const domain::Booking& b, const std::string& time_zone);

}  // namespace confpro::app
