#include "app/booking_json.h"

#include <sstream>

#include "common/timezone.h"

namespace confpro::app {

nlohmann::json booking_to_json(const domain::Booking& b, const std::string& tz) {
  nlohmann::json invitees = nlohmann::json::array();
  for (const auto& i : b.invitees) {
    nlohmann::json j{{"email", i.email}, {"phone", i.phone}};
    if (!i.personal_pin.empty()) j["personal_pin"] = i.personal_pin;
    invitees.push_back(j);
  }
  nlohmann::json j{
      {"id", b.id.value()},
      {"name", b.name},
      {"owner", b.owner},
      {"number", b.number},
      {"user_pin", b.user_pin},
      {"moderator_pin", b.moderator_pin},
      {"state", domain::to_string(b.state)},
      {"end_reason", domain::to_string(b.end_reason)},
      {"created_at", format_iso_local(b.created_at, tz)},
      {"valid_from", format_iso_local(b.valid_from, tz)},
      {"valid_until", format_iso_local(b.valid_until(), tz)},
      {"duration_minutes", b.duration_minutes},
      {"validity_days", b.validity_days},
      {"max_participants", b.max_participants},
      {"language", domain::to_string(b.language)},
      {"join_policy", domain::to_string(b.join_policy)},
      {"options",
       {{"announce_moderator", b.options.announce_moderator},
        {"record", b.options.record},
        {"announce_users", b.options.announce_users},
        {"listen_only", b.options.listen_only},
        {"wait_for_leader", b.options.wait_for_leader}}},
      {"invitees", invitees},
      {"created_via", b.created_via},
      {"access_number", b.access_number},
      {"version", b.version},
  };
  j["opened_at"] = b.opened_at ? nlohmann::json(format_iso_local(*b.opened_at, tz)) : nlohmann::json(nullptr);
  j["ended_at"] = b.ended_at ? nlohmann::json(format_iso_local(*b.ended_at, tz)) : nlohmann::json(nullptr);
  return j;
}

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
