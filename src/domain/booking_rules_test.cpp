#include "domain/booking_rules.h"

#include <gtest/gtest.h>

#include <set>

namespace confpro::domain {
namespace {

TimePoint at(std::int64_t s) {
  return from_epoch_ms(s * 1000);
}

BookingDraft valid_draft() {
  BookingDraft d;
  d.name = "  Weekly sync ";
  d.owner = "alice";
  return d;
}

// Always returns the same value: generation must still terminate with distinct PINs only if it varies, so use
// a sequence.
class SequenceRandom final : public RandomSource {
 public:
  explicit SequenceRandom(std::vector<std::uint64_t> values) : values_(std::move(values)) {}
  std::uint64_t next() override { return values_[i_++ % values_.size()]; }

 private:
  std::vector<std::uint64_t> values_;
  size_t i_ = 0;
};

TEST(Generation, ThousandNumbersHaveTheRightShapeAndAreDistinct) {
  ConferenceLimits limits;
  SeededRandom random(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string n = generate_number(limits, random);
    EXPECT_EQ(check_number(n, limits), "") << n;
    seen.insert(n);
  }
  // 1,000 draws out of 900,000 values: a handful of birthday collisions at most.
  EXPECT_GE(seen.size(), 990u);
}

TEST(Generation, NumbersAreNotSequential) {
  ConferenceLimits limits;
  SeededRandom random(7);
  int consecutive = 0;
  std::string previous = generate_number(limits, random);
  for (int i = 0; i < 1000; ++i) {
    std::string n = generate_number(limits, random);
    if (std::stoll(n) == std::stoll(previous) + 1) ++consecutive;
    previous = n;
  }
  EXPECT_LE(consecutive, 1);
}

TEST(Generation, ThousandPinPairsAreNeverTrivialNorEqual) {
  for (int length : {4, 6, 12}) {
    ConferenceLimits limits;
    limits.pin_length = length;
    SeededRandom random(static_cast<std::uint64_t>(length));
    for (int i = 0; i < 1000; ++i) {
      std::string user = generate_pin(limits, random);
      std::string moderator = generate_pin(limits, random, user);
      EXPECT_EQ(check_pin(user, limits), "") << user;
      EXPECT_EQ(check_pin(moderator, limits), "") << moderator;
      EXPECT_NE(user, moderator);
    }
  }
}

TEST(Generation, ConfiguredNumberLengthIsUsed) {
  for (int length : {4, 9, 12}) {
    ConferenceLimits limits;
    limits.number_length = length;
    SeededRandom random(1);
    std::string n = generate_number(limits, random);
    EXPECT_EQ(n.size(), static_cast<size_t>(length));
    EXPECT_NE(n[0], '0');
  }
}

TEST(Generation, PinGenerationSkipsTrivialAndEqualCandidates) {
  ConferenceLimits limits;
  limits.pin_length = 4;
  // Digits drawn: 1,2,3,4 (a run, skipped) then 4,7,2,9 (taken).
  SequenceRandom random({1, 2, 3, 4, 4, 7, 2, 9, 4, 7, 2, 9, 5, 8, 1, 6});
  EXPECT_EQ(generate_pin(limits, random), "4729");
  // Next draws 4729 again (equal to the other PIN, skipped), then 5816.
  SequenceRandom again({4, 7, 2, 9, 5, 8, 1, 6});
  EXPECT_EQ(generate_pin(limits, again, "4729"), "5816");
}

TEST(BuildBooking, FillsDefaultsAndGeneratesMissingValues) {
  ConferenceLimits limits;
  SeededRandom random(3);
  auto b = build_booking(valid_draft(), limits, at(1000), random);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->name, "Weekly sync");
  EXPECT_EQ(b->owner, "alice");
  EXPECT_EQ(b->valid_from, at(1000));
  EXPECT_EQ(b->created_at, at(1000));
  EXPECT_EQ(b->duration_minutes, 60);
  EXPECT_EQ(b->validity_days, 1);
  EXPECT_EQ(b->max_participants, 10);
  EXPECT_EQ(b->language, Language::kFrench);
  EXPECT_EQ(b->state, BookingState::kScheduled);
  EXPECT_EQ(b->created_via, "cli");
  EXPECT_EQ(check_number(b->number, limits), "");
  EXPECT_EQ(check_pin(b->user_pin, limits), "");
  EXPECT_EQ(check_pin(b->moderator_pin, limits), "");
  EXPECT_NE(b->user_pin, b->moderator_pin);
}

TEST(BuildBooking, KeepsGivenValues) {
  ConferenceLimits limits;
  SeededRandom random(3);
  BookingDraft d = valid_draft();
  d.number = "734912";
  d.moderator_pin = "482915";
  d.duration_minutes = 30;
  d.validity_days = 7;
  d.max_participants = 25;
  d.language = "en";
  d.join_policy = "allow-list";
  d.wait_for_leader = true;
  d.record = true;
  d.valid_from = at(5000);
  d.invitees = std::vector<Invitee>{{" bob@example.com ", "+33 6 12 34 56 78", ""}};
  auto b = build_booking(d, limits, at(1000), random);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->number, "734912");
  EXPECT_EQ(b->moderator_pin, "482915");
  EXPECT_NE(b->user_pin, "482915");
  EXPECT_EQ(b->duration_minutes, 30);
  EXPECT_EQ(b->validity_days, 7);
  EXPECT_EQ(b->max_participants, 25);
  EXPECT_EQ(b->language, Language::kEnglish);
  EXPECT_EQ(b->join_policy, JoinPolicy::kAllowListOnly);
  EXPECT_TRUE(b->options.wait_for_leader);
  EXPECT_TRUE(b->options.record);
  EXPECT_FALSE(b->options.listen_only);
  EXPECT_EQ(b->valid_from, at(5000));
  ASSERT_EQ(b->invitees.size(), 1u);
  EXPECT_EQ(b->invitees[0].email, "bob@example.com");
  EXPECT_EQ(b->invitees[0].phone, "+33612345678");
}

TEST(BuildBooking, PersonalPinEqualToGivenPinIsRefused) {
  ConferenceLimits limits;
  SeededRandom random(3);
  BookingDraft d = valid_draft();
  d.user_pin = "482915";
  d.invitees = std::vector<Invitee>{{"bob@example.com", "", "482915"}};
  auto b = build_booking(d, limits, at(0), random);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().fields.at(0).field, "invitees[0].personal_pin");
}

// B8: a listed-participants-only booking gives each invitee without one a personal PIN of their own.
TEST(BuildBooking, AllowListGivesEveryInviteeAPersonalPin) {
  ConferenceLimits limits;
  SeededRandom random(5);
  BookingDraft d = valid_draft();
  d.invitees = std::vector<Invitee>{{"bob@example.com", "", ""}, {"", "+33612345678", ""}, {"eve@example.com", "", "604731"}};
  auto open = build_booking(d, limits, at(0), random);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->invitees[0].personal_pin, "") << "anyone with the PIN: nobody needs a personal PIN";
  d.join_policy = "allow-list";
  auto b = build_booking(d, limits, at(0), random);
  ASSERT_TRUE(b.ok());
  std::set<std::string> pins{b->user_pin, b->moderator_pin};
  for (const auto& i : b->invitees) {
    EXPECT_EQ(static_cast<int>(i.personal_pin.size()), limits.pin_length);
    pins.insert(i.personal_pin);
  }
  EXPECT_EQ(pins.size(), 5u) << "personal PINs differ from each other and from the booking's";
  EXPECT_EQ(b->invitees[2].personal_pin, "604731") << "a given personal PIN is kept";
  // Switching an open booking to the allow-list later gives them too.
  Booking later = *open;
  give_personal_pins(later, limits, random);
  EXPECT_EQ(later.invitees[0].personal_pin, "");
  later.join_policy = JoinPolicy::kAllowListOnly;
  give_personal_pins(later, limits, random);
  EXPECT_FALSE(later.invitees[0].personal_pin.empty());
  EXPECT_FALSE(later.invitees[1].personal_pin.empty());
}

TEST(BuildBooking, InvalidDraftReturnsEveryFieldAndNoBooking) {
  SeededRandom random(3);
  BookingDraft d;
  d.max_participants = 0;
  auto b = build_booking(d, ConferenceLimits{}, at(0), random);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(b.error().fields.size(), 3u);  // name, owner, max_participants
}

Booking scheduled() {
  SeededRandom random(9);
  BookingDraft d;
  d.name = "Sync";
  d.owner = "alice";
  d.valid_from = at(0);
  d.validity_days = 2;
  d.user_pin = "482915";
  d.moderator_pin = "739164";
  return build_booking(d, ConferenceLimits{}, at(0), random).value();
}

TEST(EditRules, ScheduledBookingMayChangeEverything) {
  Booking b = scheduled();
  BookingDraft d;
  d.number = "555123";
  d.user_pin = "902716";
  d.max_participants = 20;
  d.language = "en";
  d.listen_only = true;
  auto u = apply_update(b, d, ConferenceLimits{}, at(60));
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->number, "555123");
  EXPECT_EQ(u->user_pin, "902716");
  EXPECT_EQ(u->max_participants, 20);
  EXPECT_EQ(u->language, Language::kEnglish);
  EXPECT_TRUE(u->options.listen_only);
  EXPECT_EQ(u->updated_at, at(60));
}

TEST(EditRules, ActiveBookingKeepsNumberAndPins) {
  Booking b = scheduled();
  ASSERT_TRUE(open(b, at(10)).ok());
  BookingDraft d;
  d.number = "555123";
  d.moderator_pin = "902716";
  d.duration_minutes = 90;
  auto u = apply_update(b, d, ConferenceLimits{}, at(60));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_EQ(u.error().fields.size(), 2u);
  EXPECT_EQ(u.error().fields[0].field, "number");
  EXPECT_EQ(u.error().fields[1].field, "moderator_pin");

  BookingDraft extend;
  extend.duration_minutes = 90;
  extend.number = b.number;  // same value: not a change
  auto e = apply_update(b, extend, ConferenceLimits{}, at(60));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->duration_minutes, 90);
}

TEST(EditRules, ShorteningARunningConferenceIntoThePastIsRefused) {
  Booking b = scheduled();
  ASSERT_TRUE(open(b, at(0)).ok());
  BookingDraft d;
  d.duration_minutes = 10;
  EXPECT_EQ(apply_update(b, d, ConferenceLimits{}, at(10 * 60)).error().fields.at(0).field,
            "duration_minutes");
  EXPECT_TRUE(apply_update(b, d, ConferenceLimits{}, at(10 * 60 - 1)).ok());
}

TEST(EditRules, EndedBookingChangesNothing) {
  Booking b = scheduled();
  BookingDraft d;
  d.name = "Other";
  // Ended by its lapsed window: effective state is ended although stored as scheduled.
  auto u = apply_update(b, d, ConferenceLimits{}, at(2 * 86400));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(apply_update(b, d, ConferenceLimits{}, at(2 * 86400 - 1)).ok());
  for (auto field : {"name", "number", "user_pin", "invitees", "duration_minutes"}) {
    EXPECT_FALSE(field_editable(BookingState::kEnded, field));
  }
}

TEST(EditRules, UpdateChecksPinsAgainstTheStoredOnes) {
  Booking b = scheduled();
  BookingDraft d;
  d.user_pin = b.moderator_pin;
  auto u = apply_update(b, d, ConferenceLimits{}, at(1));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(u.error().fields.at(0).field, "moderator_pin");
}

TEST(EditRules, MovingTheWindowIntoThePastIsRefused) {
  Booking b = scheduled();
  BookingDraft d;
  d.validity_days = 1;
  EXPECT_TRUE(apply_update(b, d, ConferenceLimits{}, at(86399)).ok());
  auto u = apply_update(b, d, ConferenceLimits{}, at(86400));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().fields.at(0).field, "validity_days");
}

TEST(EditRules, UnchangedDraftKeepsUpdatedAt) {
  Booking b = scheduled();
  auto u = apply_update(b, BookingDraft{}, ConferenceLimits{}, at(100));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, b);
}

}  // namespace
}  // namespace confpro::domain
