#include "web/booking_json.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

TEST(DraftFromJson, ReadsEveryBookingField) {
  auto r = draft_from_json(R"({"name":"Board","number":"482913","user_pin":"583920","moderator_pin":"194857",
    "valid_from":"2026-05-01T09:00:00+02:00","duration_minutes":90,"validity_days":3,"max_participants":12,
    "language":"en","join_policy":"allow-list","announce_moderator":true,"record":true,"announce_users":true,
    "listen_only":false,"wait_for_leader":true,
    "invitees":[{"email":"a@example.com","phone":"+33123456789","personal_pin":"918273"}],"version":4})",
                           true, "Europe/Paris");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& d = r->draft;
  EXPECT_EQ(d.name, "Board");
  EXPECT_EQ(d.number, "482913");
  EXPECT_EQ(to_epoch_ms(*d.valid_from), 1777618800000);
  EXPECT_EQ(d.duration_minutes, 90);
  EXPECT_EQ(d.validity_days, 3);
  EXPECT_EQ(d.max_participants, 12);
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.join_policy, "allow-list");
  EXPECT_EQ(d.announce_moderator, true);
  EXPECT_EQ(d.wait_for_leader, true);
  EXPECT_EQ(d.listen_only, false);
  ASSERT_TRUE(d.invitees);
  EXPECT_EQ(d.invitees->at(0).phone, "+33123456789");
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(d.created_via, "web");
}

TEST(DraftFromJson, LocalTimeIsReadInTheConsoleZone) {
  auto r = draft_from_json(R"({"name":"x","valid_from":"2026-05-01 09:00"})", true, "Europe/Paris");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(to_epoch_ms(*r->draft.valid_from), 1777618800000);
}

TEST(DraftFromJson, NamesEveryBadField) {
  auto r = draft_from_json(R"({"name":7,"duration_minutes":"long","record":"yes","valid_from":"tomorrow",
    "invitees":[{"email":5,"fax":"1"}],"colour":"red"})", true, "UTC");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (auto& f : r.error().fields) fields.push_back(f.field);
  for (const char* f : {"name", "duration_minutes", "record", "valid_from", "invitees[0].email", "invitees[0].fax",
                        "colour"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
}

TEST(DraftFromJson, NameRequiredOnCreateOnly) {
  EXPECT_FALSE(draft_from_json("{}", true, "UTC").ok());
  auto r = draft_from_json(R"({"duration_minutes":30})", false, "UTC");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->draft.name);
  EXPECT_FALSE(r->draft.created_via);
}

TEST(BookingToJson, ShowsStateAndTimesInUtc) {
  domain::Booking b;
  b.id = BookingId{5};
  b.name = "Weekly";
  b.valid_from = from_epoch_ms(1777618800000);
  b.validity_days = 2;
  auto j = booking_to_json(b);
  EXPECT_EQ(j["id"], 5);
  EXPECT_EQ(j["state"], "scheduled");
  EXPECT_EQ(j["valid_from"], "2026-05-01T07:00:00Z");
  EXPECT_EQ(j["valid_until"], "2026-05-03T07:00:00Z");
  EXPECT_TRUE(j["opened_at"].is_null());
}

TEST(BookingToJson, CliViewHasLocalTimesNestedOptionsAndTheAccessNumber) {
  domain::Booking b;
  b.id = BookingId{5};
  b.valid_from = from_epoch_ms(1777618800000);
  b.validity_days = 2;
  b.options.record = true;
  b.access_number = "3001";
  b.invitees = {{"a@example.com", "", ""}, {"b@example.com", "+33611111111", "4321"}};
  auto cli = booking_to_json(b, BookingJsonFor::kCli, "Europe/Paris");
  EXPECT_EQ(cli["valid_from"], "2026-05-01T09:00:00+02:00");
  EXPECT_EQ(cli["options"]["record"], true);
  EXPECT_FALSE(cli.contains("record"));
  EXPECT_EQ(cli["access_number"], "3001");
  EXPECT_FALSE(cli.contains("updated_at"));
  EXPECT_FALSE(cli["invitees"][0].contains("personal_pin"));
  EXPECT_EQ(cli["invitees"][1]["personal_pin"], "4321");
  auto api = booking_to_json(b);
  EXPECT_EQ(api["record"], true);
  EXPECT_FALSE(api.contains("options"));
  EXPECT_FALSE(api.contains("access_number"));
  EXPECT_EQ(api["invitees"][0]["personal_pin"], "");
  // The fields both show carry the same values.
  for (const char* k : {"id", "name", "number", "state", "duration_minutes", "version"}) {
    EXPECT_EQ(cli[k], api[k]) << k;
  }
}

}  // namespace
}  // namespace confpro::web
