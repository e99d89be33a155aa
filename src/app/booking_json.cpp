#include "app/booking_json.h"

#include <sstream>

#include "common/timezone.h"

namespace confpro::app {

std::string booking_to_text(const domain::Booking& b, const std::string& tz) {
  std::ostringstream o;
  auto yes = [](bool v) { return v ? "yes" : "no"; };
  o << "id:                " << b.id.value() << "\n"
    << "name:              " << b.name << "\n"
    << "owner:             " << b.owner << "\n"
    << "number:            " << b.number << "\n"
    << "user PIN:          " << b.user_pin << "\n"
    << "moderator PIN:     " << b.moderator_pin << "\n"
    << "state:             " << domain::to_string(b.state);
  if (b.end_reason != domain::EndReason::kNone) o << " (" << domain::to_string(b.end_reason) << ")";
  o << "\n"
    << "valid:             " << format_local_time(b.valid_from, tz) << " → " << format_local_time(b.valid_until(), tz)
    << " (" << tz << ")\n"
    << "duration:          " << b.duration_minutes << " min\n"
    << "max participants:  " << b.max_participants << "\n"
    << "language:          " << domain::to_string(b.language) << "\n"
    << "join:              " << domain::to_string(b.join_policy) << "\n"
    << "options:           announce-moderator=" << yes(b.options.announce_moderator)
    << " record=" << yes(b.options.record) << " announce-users=" << yes(b.options.announce_users)
    << " listen-only=" << yes(b.options.listen_only) << " wait-for-leader=" << yes(b.options.wait_for_leader)
    << "\n";
  for (const auto& i : b.invitees) o << "invitee:           " << i.email << (i.phone.empty() ? "" : " " + i.phone) << "\n";
  if (b.opened_at) o << "opened:            " << format_local_time(*b.opened_at, tz) << "\n";
  if (b.ended_at) o << "ended:             " << format_local_time(*b.ended_at, tz) << "\n";
  return o.str();
}

}  // namespace confpro::app
