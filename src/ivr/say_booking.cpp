// Reading a booking's details back to its creator (I3).
#include "ivr/say.h"

namespace confpro::ivr {

Result<std::vector<std::string>> booking_details_keys(const domain::Booking& booking, std::string_view zone,
                                                      domain::Language language, BookingReadBack what) {
  std::vector<std::string> out;
  auto add = [&out](const std::vector<std::string>& keys) {
    out.insert(out.end(), keys.begin(), keys.end());
  };
  auto add_digits = [&](std::string_view digits, const char* field) -> Status {
    auto keys = digit_keys(digits);
    if (!keys) return Error::invalid(field, "cannot be read digit by digit");
    add(*keys);
    return {};
  };

  out.emplace_back("your-conference-number-is");
  if (auto s = add_digits(booking.number, "number"); !s) return s.error();
  if (what.pins) {
    out.emplace_back("participant-pin-is");
    if (auto s = add_digits(booking.user_pin, "user_pin"); !s) return s.error();
    out.emplace_back("moderator-pin-is");
    if (auto s = add_digits(booking.moderator_pin, "moderator_pin"); !s) return s.error();
  }
  auto until = to_local_date_time(booking.valid_until(), zone);
  if (!until) return until.error();
  out.emplace_back("valid-until");
  add(date_keys(*until, language));
  out.emplace_back("for-up-to");
  add(*number_keys(booking.max_participants, language));
  out.emplace_back("participants");
  if (what.duration) {
    auto duration = duration_keys(booking.duration_minutes, language);
    if (!duration) return duration.error();
    out.emplace_back("lasting");
    add(*duration);
  }
  return out;
}

}  // namespace confpro::ivr
