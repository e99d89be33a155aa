#include "web/booking_json.h"

#include "common/timezone.h"
#include "web/json_body.h"

namespace confpro::web {

nlohmann::json booking_to_json(const domain::Booking& b, BookingJsonFor reader, const std::string& time_zone) {
  const bool cli = reader == BookingJsonFor::kCli;
  auto time = [&](TimePoint t) { return cli ? format_iso_local(t, time_zone) : format_iso_utc(t); };
  auto optional_time = [&](const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(time(*t)) : nlohmann::json(nullptr);
  };
  nlohmann::json invitees = nlohmann::json::array();
  for (const auto& i : b.invitees) {
    nlohmann::json inv{{"email", i.email}, {"phone", i.phone}};
    if (!cli || !i.personal_pin.empty()) inv["personal_pin"] = i.personal_pin;
    invitees.push_back(std::move(inv));
  }
  const nlohmann::json options{{"announce_moderator", b.options.announce_moderator},
                               {"record", b.options.record},
                               {"announce_users", b.options.announce_users},
                               {"listen_only", b.options.listen_only},
                               {"wait_for_leader", b.options.wait_for_leader}};
  nlohmann::json j{{"id", b.id.value()},
                   {"name", b.name},
                   {"owner", b.owner},
                   {"number", b.number},
                   {"user_pin", b.user_pin},
                   {"moderator_pin", b.moderator_pin},
                   {"created_at", time(b.created_at)},
                   {"valid_from", time(b.valid_from)},
                   {"valid_until", time(b.valid_until())},
                   {"duration_minutes", b.duration_minutes},
                   {"validity_days", b.validity_days},
                   {"max_participants", b.max_participants},
                   {"language", domain::to_string(b.language)},
                   {"join_policy", domain::to_string(b.join_policy)},
                   {"invitees", invitees},
                   {"created_via", b.created_via},
                   {"state", domain::to_string(b.state)},
                   {"end_reason", domain::to_string(b.end_reason)},
                   {"opened_at", optional_time(b.opened_at)},
                   {"ended_at", optional_time(b.ended_at)},
                   {"version", b.version}};
  if (cli) {
    j["options"] = options;
    j["access_number"] = b.access_number;
  } else {
    j.update(options);
    j["updated_at"] = time(b.updated_at);
  }
  return j;
}

Result<DraftRequest> draft_from_json(const std::string& text, bool creating, const std::string& time_zone) {
  auto parsed = JsonBody::parse(text);
  if (!parsed) return parsed.error();
  JsonBody& body = *parsed;
  DraftRequest out;
  auto& d = out.draft;
  d.name = body.string("name", creating, 400);
  d.owner = body.string("owner", false, 64);
  d.number = body.string("number", false, 32);
  d.user_pin = body.string("user_pin", false, 32);
  d.moderator_pin = body.string("moderator_pin", false, 32);
  if (auto from = body.string("valid_from", false, 64)) {
    auto t = from->find('T') != std::string::npos ? parse_iso_time(*from) : parse_local_time(*from, time_zone);
    if (t) {
      d.valid_from = *t;
    } else {
      body.add_error("valid_from", "must be a date and time such as 2026-05-01T09:00:00+02:00",
                     "date_time_format");
    }
  }
  auto small_int = [&](const char* field) -> std::optional<int> {
    auto v = body.integer(field, -1000000, 1000000);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
  };
  d.duration_minutes = small_int("duration_minutes");
  d.validity_days = small_int("validity_days");
  d.max_participants = small_int("max_participants");
  d.language = body.string("language", false, 8);
  d.join_policy = body.string("join_policy", false, 16);
  d.announce_moderator = body.boolean("announce_moderator");
  d.record = body.boolean("record");
  d.announce_users = body.boolean("announce_users");
  d.listen_only = body.boolean("listen_only");
  d.wait_for_leader = body.boolean("wait_for_leader");
  if (const auto* list = body.raw("invitees")) {
    if (!list->is_array() || list->size() > 500) {
      body.add_error("invitees", "must be a list of at most 500 {email, phone, personal_pin}", "too_many",
                     {{"max", 500}});
    } else {
      std::vector<domain::Invitee> invitees;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& item = (*list)[i];
        const std::string prefix = "invitees[" + std::to_string(i) + "]";
        if (!item.is_object()) {
          body.add_error(prefix, "must be an object", "wrong_type", {{"type", "object"}});
          continue;
        }
        domain::Invitee inv;
        for (const auto& [key, value] : item.items()) {
          std::string* target = key == "email" ? &inv.email
                                : key == "phone" ? &inv.phone
                                : key == "personal_pin" ? &inv.personal_pin
                                                        : nullptr;
          if (!target) {
            body.add_error(prefix + "." + key, "unknown field", "unknown_field");
          } else if (value.is_null()) {
          } else if (!value.is_string() || value.get<std::string>().size() > 200) {
            body.add_error(prefix + "." + key, "must be a string of at most 200 characters", "too_long",
                           {{"max", 200}});
          } else {
            *target = value.get<std::string>();
          }
        }
        invitees.push_back(std::move(inv));
      }
      d.invitees = std::move(invitees);
    }
  }
  if (auto v = body.integer("version", 0, 1000000000)) out.version = static_cast<int>(*v);
  if (creating) d.created_via = "web";
  if (creating) d.account = body.string("account", false, 100);  // the billing account that pays (issue 16)
  if (auto st = body.finish(); !st) return st.error();
  return out;
}

}  // namespace confpro::web
