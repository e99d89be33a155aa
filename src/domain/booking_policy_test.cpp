#include "domain/booking_policy.h"

#include <gtest/gtest.h>

namespace confpro::domain {
namespace {

BookingCategory category(std::string name, BookingMode mode = BookingMode::kFree) {
  BookingCategory c;
  c.name = std::move(name);
  c.booking = mode;
  return c;
}

Booking booking(int duration = 60, int participants = 10, int validity = 1, bool record = false) {
  Booking b;
  b.owner = "bob";
  b.duration_minutes = duration;
  b.max_participants = participants;
  b.validity_days = validity;
  b.options.record = record;
  return b;
}

BookingPolicy staff_policy() {
  BookingPolicy p;
  auto staff = category("staff");
  staff.members.users = {"alice"};
  staff.members.groups = {"cn=staff,ou=groups,dc=example,dc=org"};
  staff.max_duration_minutes = 240;
  staff.max_participants = 50;
  staff.max_validity_days = 30;
  staff.max_active_bookings = 2;
  staff.recording = false;
  auto guests = category("guests", BookingMode::kRefused);
  guests.members.users = {"mallory"};
  guests.members.everyone = true;
  p.categories = {staff, guests};
  return p;
}

Requester who(std::string username, std::vector<std::string> groups = {}, bool admin = false) {
  return {std::move(username), std::move(groups), admin};
}

TEST(BookingPolicyTest, NoCategoriesLeavesEverybodyFreeWithTheGlobalLimits) {
  BookingPolicy none;
  EXPECT_EQ(category_of(none, who("bob")).name, "default");
  auto d = decide(none, who("bob"), booking(10080, 10000, 3650, true), nullptr, {1000});
  EXPECT_TRUE(d.allowed());
  ConferenceLimits global;
  EXPECT_EQ(limits_for(category_of(none, who("bob")), global).max_duration_minutes, global.max_duration_minutes);
}

TEST(BookingPolicyTest, MatchingOrderIsUsersThenGroupsThenEveryone) {
  BookingPolicy p = staff_policy();
  auto members = category("members");
  members.members.groups = {"cn=members,ou=groups,dc=example,dc=org"};
  p.categories.insert(p.categories.begin(), members);
  // alice is listed by name in "staff" although "members" comes first and holds her group.
  EXPECT_EQ(category_of(p, who("alice", {"cn=members,ou=groups,dc=example,dc=org"})).name, "staff");
  // bob's groups: the first listed category holding one of them.
  EXPECT_EQ(category_of(p, who("bob", {"cn=staff,ou=groups,dc=example,dc=org",
                                       "cn=members,ou=groups,dc=example,dc=org"}))
                .name,
            "members");
  // mallory is listed by name in "guests": names are compared across every category before groups.
  EXPECT_EQ(category_of(p, who("mallory", {"cn=staff,ou=groups,dc=example,dc=org"})).name, "guests");
  EXPECT_EQ(category_of(p, who("carol")).name, "guests");  // everyone
}

TEST(BookingPolicyTest, GroupDnsCompareIgnoringCaseAndSpacesAroundSeparators) {
  BookingPolicy p = staff_policy();
  EXPECT_EQ(category_of(p, who("bob", {"CN=Staff, OU=Groups,DC=Example,DC=org"})).name, "staff");
  EXPECT_EQ(category_of(p, who("bob", {"cn=staffs,ou=groups,dc=example,dc=org"})).name, "guests");
}

TEST(BookingPolicyTest, NoMatchGoesToTheDefaultCategoryOrIsRefused) {
  BookingPolicy p = staff_policy();
  p.categories.pop_back();  // no "everyone"
  auto d = decide(p, who("carol"), booking(), nullptr, {});
  EXPECT_EQ(d.kind, Decision::Kind::kRefused);
  EXPECT_EQ(d.reason, "no_category");
  EXPECT_EQ(d.category, "none");
  p.default_category = "staff";
  EXPECT_EQ(category_of(p, who("carol")).name, "staff");
  EXPECT_TRUE(decide(p, who("carol"), booking(), nullptr, {}).allowed());
}

TEST(BookingPolicyTest, RefusedCategoryMayNotCreate) {
  auto d = decide(staff_policy(), who("carol"), booking(), nullptr, {});
  EXPECT_EQ(d.kind, Decision::Kind::kRefused);
  EXPECT_EQ(d.reason, "booking_refused");
  EXPECT_EQ(d.category, "guests");
  Error e = to_error(d);
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.reason, "booking_refused");
}

TEST(BookingPolicyTest, EveryLimitIsCheckedAndNamedWithItsMax) {
  auto d = decide(staff_policy(), who("alice"), booking(241, 51, 31, true), nullptr, {});
  ASSERT_EQ(d.kind, Decision::Kind::kRefused);
  EXPECT_EQ(d.reason, "category_limit");
  ASSERT_EQ(d.fields.size(), 4u);
  EXPECT_EQ(d.fields[0].field, "duration_minutes");
  EXPECT_EQ(std::get<std::int64_t>(d.fields[0].params.at("max")), 240);
  EXPECT_EQ(d.fields[1].field, "max_participants");
  EXPECT_EQ(std::get<std::int64_t>(d.fields[1].params.at("max")), 50);
  EXPECT_EQ(d.fields[2].field, "validity_days");
  EXPECT_EQ(std::get<std::int64_t>(d.fields[2].params.at("max")), 30);
  EXPECT_EQ(d.fields[3].field, "record");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(d.fields[i].reason, "category_limit");
  EXPECT_EQ(d.fields[3].reason, "recording_not_allowed");
  Error e = to_error(d);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.fields.size(), 4u);
  EXPECT_TRUE(decide(staff_policy(), who("alice"), booking(240, 50, 30, false), nullptr, {}).allowed());
}

TEST(BookingPolicyTest, BookingsInForceAreCappedOnCreationOnly) {
  auto d = decide(staff_policy(), who("alice"), booking(), nullptr, {2});
  EXPECT_EQ(d.reason, "too_many_bookings");
  EXPECT_EQ(std::get<std::int64_t>(d.params.at("max")), 2);
  EXPECT_TRUE(decide(staff_policy(), who("alice"), booking(), nullptr, {1}).allowed());
  Booking current = booking();
  EXPECT_TRUE(decide(staff_policy(), who("alice"), booking(90), &current, {5}).allowed());
}

TEST(BookingPolicyTest, AnEditIsCheckedOnWhatItRaises) {
  Booking current = booking(300, 80, 1, true);  // made before the limits were lowered
  // Renaming or shortening stays allowed; raising past the limit is refused.
  EXPECT_TRUE(decide(staff_policy(), who("alice"), booking(300, 80, 1, true), &current, {}).allowed());
  EXPECT_TRUE(decide(staff_policy(), who("alice"), booking(280, 80, 1, true), &current, {}).allowed());
  auto d = decide(staff_policy(), who("alice"), booking(300, 81, 1, true), &current, {});
  ASSERT_EQ(d.fields.size(), 1u);
  EXPECT_EQ(d.fields[0].field, "max_participants");
  Booking plain = booking();
  d = decide(staff_policy(), who("alice"), booking(60, 10, 1, true), &plain, {});
  ASSERT_EQ(d.fields.size(), 1u);
  EXPECT_EQ(d.fields[0].field, "record");
}

TEST(BookingPolicyTest, AdministratorsAreNotLimited) {
  auto d = decide(staff_policy(), who("carol", {}, true), booking(480, 100, 365, true), nullptr, {99});
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.category, "guests");
}

TEST(BookingPolicyTest, BilledCategoryNeedsPaymentAndIsRefusedUntilBillingExists) {
  BookingPolicy p;
  auto paid = category("paid", BookingMode::kBilled);
  paid.members.everyone = true;
  paid.price = 500;
  p.categories = {paid};
  auto d = decide(p, who("bob"), booking(), nullptr, {});
  ASSERT_EQ(d.kind, Decision::Kind::kNeedsPayment);
  EXPECT_EQ(d.amount, 500);
  EXPECT_EQ(d.currency, "EUR");
  Error e = to_error(d);
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.reason, "billing_unavailable");
  EXPECT_NE(e.message.find("billing is not yet available"), std::string::npos);
}

TEST(BookingPolicyTest, LimitsForNarrowsTheGlobalLimitsAndClampsDefaults) {
  ConferenceLimits global;
  global.default_duration_minutes = 60;
  global.default_max_participants = 10;
  auto c = category("small");
  c.max_duration_minutes = 30;
  c.max_participants = 4;
  auto l = limits_for(c, global);
  EXPECT_EQ(l.max_duration_minutes, 30);
  EXPECT_EQ(l.default_duration_minutes, 30);
  EXPECT_EQ(l.max_participants, 4);
  EXPECT_EQ(l.default_max_participants, 4);
  EXPECT_EQ(l.max_validity_days, global.max_validity_days);
  c.max_duration_minutes = 100000;  // a category cannot widen the global limit
  EXPECT_EQ(limits_for(c, global).max_duration_minutes, global.max_duration_minutes);
}

TEST(BookingPolicyTest, ModeSpellings) {
  EXPECT_EQ(booking_mode_from_string("billed"), BookingMode::kBilled);
  EXPECT_EQ(booking_mode_from_string("Free"), std::nullopt);
  EXPECT_STREQ(to_string(BookingMode::kRefused), "refused");
}

}  // namespace
}  // namespace confpro::domain

namespace confpro::domain {
namespace {

TEST(AccountMembers, UsernamesAndGroupDnsAreTidiedAndHostileEntriesNamed) {
  auto tidy = account_members({" bob ", "cn=Sales,ou=groups,dc=example,dc=org", "bob", "CN=Sales, OU=Groups,DC=Example,DC=org"});
  ASSERT_TRUE(tidy.ok());
  EXPECT_EQ(*tidy, (std::vector<std::string>{"bob", "cn=Sales,ou=groups,dc=example,dc=org"}));
  EXPECT_TRUE(account_members({}).value().empty());
  for (const std::string& bad :
       std::vector<std::string>{"", "   ", "b ob", "=sales", "cn=", "a\x01" "b", std::string(201, 'x')}) {
    auto r = account_members({"alice", bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().fields.at(0).field, "members") << bad;
  }
  EXPECT_FALSE(account_members(std::vector<std::string>(101, "x")).ok());
}

TEST(AccountMembers, AMemberIsAListedUserOrInAListedGroup) {
  const std::vector<std::string> members{"bob", "cn=sales,ou=groups,dc=example,dc=org"};
  EXPECT_TRUE(member_of(members, {"bob", {}, false}));
  EXPECT_TRUE(member_of(members, {"carol", {"CN=Sales, OU=Groups,DC=Example,DC=org"}, false}));
  EXPECT_FALSE(member_of(members, {"carol", {"cn=support,ou=groups,dc=example,dc=org"}, false}));
  EXPECT_FALSE(member_of(members, {"cn=sales,ou=groups,dc=example,dc=org", {}, false})) << "a DN is not a username";
  EXPECT_FALSE(member_of({}, {"bob", {}, false}));
}

}  // namespace
}  // namespace confpro::domain
