// Reader for [booking] and its [[booking.category]] tables (FEATURES.md B7; domain/booking_policy.h).
#include <algorithm>

#include "app/config_components.h"

namespace confpro::app {

namespace {

// A DN has at least one attribute=value pair, e.g. "cn=staff,ou=groups,dc=example,dc=org".
bool looks_like_dn(const std::string& s) {
  const auto eq = s.find('=');
  return eq != std::string::npos && eq > 0 && eq + 1 < s.size();
}

// A limit of the category: 0 = none of its own, else within [min, max].
void read_limit(ConfigReader& r, const std::string& key, int& out, int min, int max,
                const std::string& hint) {
  long long v = out;
  const size_t before = r.errors().size();
  r.get_int(key, v, 0, max);
  if (r.errors().size() != before) return;
  if (v != 0 && v < min) {
    r.fail(key, "must be 0 (no limit of the category) or at least " + std::to_string(min) + hint + ", got " +
                    std::to_string(v));
    return;
  }
  out = static_cast<int>(v);
}

domain::BookingCategory read_category(ConfigReader r, const domain::ConferenceLimits& conference) {
  domain::BookingCategory c;
  r.get("name", c.name);
  if (c.name.empty()) r.fail("name", "is required, e.g. name = \"staff\"");
  r.get("users", c.members.users);
  for (const auto& u : c.members.users)
    if (u.empty()) r.fail("users", "an empty username");
  r.get("groups", c.members.groups);
  for (const auto& g : c.members.groups)
    if (!looks_like_dn(g))
      r.fail("groups", "'" + g + "' is not a group DN, e.g. \"cn=staff,ou=groups,dc=example,dc=org\"");
  r.get("everyone", c.members.everyone);
  if (c.members.users.empty() && c.members.groups.empty() && !c.members.everyone)
    r.fail("name", "category '" + c.name + "' has no members: give users, groups or everyone = true");
  std::string mode = domain::to_string(c.booking);
  r.get_enum("mode", mode, {"free", "refused", "billed"});
  c.booking = domain::booking_mode_from_string(mode).value_or(c.booking);
  read_limit(r, "max_duration_minutes", c.max_duration_minutes, conference.min_duration_minutes, 10080,
             " (conference.min_duration_minutes)");
  read_limit(r, "max_participants", c.max_participants, domain::kMinParticipants, 10000, "");
  read_limit(r, "max_validity_days", c.max_validity_days, 1, 3650, "");
  read_limit(r, "max_active_bookings", c.max_active_bookings, 1, 100000, "");
  r.get("recording_allowed", c.recording);
  r.finish();
  return c;
}

}  // namespace

void read_booking(ConfigReader root, const domain::ConferenceLimits& conference,
                  domain::BookingPolicy& policy) {
  auto tables = root.tables("category");
  for (size_t i = 0; i < tables.size(); ++i) {
    ConfigReader r = root.sub(tables[i], "category[" + std::to_string(i) + "]");
    domain::BookingCategory c = read_category(r, conference);
    for (const auto& other : policy.categories) {
      if (!c.name.empty() && other.name == c.name) r.fail("name", "duplicate category '" + c.name + "'");
      for (const auto& u : c.members.users) {
        const auto& theirs = other.members.users;
        if (std::find(theirs.begin(), theirs.end(), u) != theirs.end())
          r.fail("users",
                 "'" + u + "' is already in category '" + other.name + "' (a user has one category)");
      }
      if (c.members.everyone && other.members.everyone)
        r.fail("everyone",
               "category '" + other.name + "' already has everyone = true; this one would never match");
    }
    policy.categories.push_back(std::move(c));
  }
  root.get("default_category", policy.default_category);
  if (!policy.default_category.empty()) {
    const auto& cs = policy.categories;
    if (std::none_of(cs.begin(), cs.end(), [&](const auto& c) { return c.name == policy.default_category; }))
      root.fail("default_category",
                "'" + policy.default_category + "' is not the name of a [[booking.category]]");
  }
  root.finish();
}

}  // namespace confpro::app
