// JSON and text views of a booking for the CLI (`--json` output that scripts rely on: id, name, number,
// user_pin, moderator_pin, state, …). Times are shown in the configured zone.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "domain/booking.h"

namespace confpro::app {

nlohmann::json booking_to_json(const domain::Booking& b, const std::string& time_zone);
std::string booking_to_text(const domain::Booking& b, const std::string& time_zone);

}  // namespace confpro::app
