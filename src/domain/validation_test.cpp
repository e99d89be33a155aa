#include <gtest/gtest.h>

#include "domain/booking_rules.h"

namespace confpro::domain {
namespace {

TimePoint at(std::int64_t s) {
  return from_epoch_ms(s * 1000);
}

BookingDraft valid_draft() {
  BookingDraft d;
  d.name = "Weekly sync";
  d.owner = "alice";
  return d;
}

bool has_field(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(Validation, TrivialPinsAreRecognized) {
  for (const char* pin : {"0000", "1111", "1234", "4321", "0123", "9876", "7890", "3210", "1212", "123123",
                          "121212", "1221", "123456", "654321", "999999", "12341234"}) {
    EXPECT_TRUE(is_trivial_pin(pin)) << pin;
  }
  for (const char* pin : {"4729", "1357", "8156", "402917", "1223", "112233"}) {
    EXPECT_FALSE(is_trivial_pin(pin)) << pin;
  }
}

TEST(Validation, PinMustBeDigitsOfTheConfiguredLength) {
  ConferenceLimits limits;  // pin_length 6
  EXPECT_EQ(check_pin("482915", limits), "");
  EXPECT_NE(check_pin("48291a", limits).find("digits only"), std::string::npos);
  EXPECT_NE(check_pin("48291", limits).find("exactly 6"), std::string::npos);
  EXPECT_NE(check_pin("4829155", limits).find("exactly 6"), std::string::npos);
  EXPECT_NE(check_pin("123456", limits).find("guess"), std::string::npos);
  EXPECT_NE(check_pin("", limits).find("digits only"), std::string::npos);
}

TEST(Validation, NumberHasNoLeadingZero) {
  ConferenceLimits limits;
  EXPECT_EQ(check_number("482915", limits), "");
  EXPECT_NE(check_number("082915", limits), "");
  EXPECT_NE(check_number("48291", limits), "");
  EXPECT_NE(check_number("48 915", limits), "");
}

TEST(Validation, NameRules) {
  EXPECT_EQ(check_name("Réunion équipe"), "");
  EXPECT_EQ(check_name("is required"), "");
  EXPECT_EQ(check_name("   "), "is required");
  EXPECT_EQ(check_name(std::string(100, 'a')), "");
  EXPECT_NE(check_name(std::string(101, 'a')), "");
  EXPECT_EQ(check_name(std::string(50, 'a') + std::string(50 * 1, 'b')), "");
  EXPECT_NE(check_name("bad\x01name"), "");
  EXPECT_NE(check_name("tab\tname"), "");
  EXPECT_NE(check_name("\xff\xfe"), "");
  // 100 two-byte characters are 100 characters, not 200.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "é";
  EXPECT_EQ(check_name(accents), "");
}

TEST(Validation, EmailAndPhone) {
  EXPECT_EQ(check_email("bob@example.com"), "");
  EXPECT_EQ(check_email("first.last+tag@mail.example.co.uk"), "");
  for (const char* bad :
       {"", "bob", "bob@", "@example.com", "bob@example", "bob@@example.com", "bo b@example.com",
        "bob@exa_mple.com", ".bob@example.com", "bob..x@example.com", "bob@-x.com"}) {
    EXPECT_NE(check_email(bad), "") << bad;
  }
  EXPECT_EQ(check_phone("+33 1 23 45 67 89"), "");
  EXPECT_EQ(check_phone("0612345678"), "");
  EXPECT_NE(check_phone("06-12-AB"), "");
  EXPECT_NE(check_phone("12"), "");
  EXPECT_NE(check_phone("33+12345"), "");
  EXPECT_EQ(tidy_phone(" +33 (1) 23-45.67 "),
            "+33123456"
            "7");
}

TEST(Validation, CreateRequiresNameAndOwner) {
  auto errors = validate_draft(BookingDraft{}, ConferenceLimits{}, true, at(0));
  EXPECT_TRUE(has_field(errors, "name"));
  EXPECT_TRUE(has_field(errors, "owner"));
  EXPECT_TRUE(validate_draft(BookingDraft{}, ConferenceLimits{}, false, at(0)).empty());
  EXPECT_TRUE(validate_draft(valid_draft(), ConferenceLimits{}, true, at(0)).empty());
}

TEST(Validation, EveryBadFieldIsReportedAtOnce) {
  BookingDraft d = valid_draft();
  d.name = "";
  d.user_pin = "12ab56";
  d.moderator_pin = "111111";
  d.max_participants = 0;
  d.duration_minutes = 481;
  d.validity_days = 0;
  d.language = "de";
  d.join_policy = "open";
  d.invitees = std::vector<Invitee>{{"not-an-email", "", ""}, {"", "", ""}, {"ok@example.com", "12ab", "1"}};
  auto errors = validate_draft(d, ConferenceLimits{}, true, at(0));
  for (const char* f : {"name", "user_pin", "moderator_pin", "max_participants", "duration_minutes",
                        "validity_days", "language", "join_policy", "invitees[0].email", "invitees[1].email",
                        "invitees[2].phone", "invitees[2].personal_pin"}) {
    EXPECT_TRUE(has_field(errors, f)) << f;
  }
  EXPECT_EQ(errors.size(), 12u);
  Error e = Error::invalid_fields(errors);
  EXPECT_NE(e.message.find("max_participants: must be between 2 and 100"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("duration_minutes: must be between 5 and 480 minutes"), std::string::npos);
}

// Issue 12 item 10: every field error names its rule by a stable reason with the values it uses.
TEST(Validation, EveryFieldErrorHasAReasonAndItsParams) {
  BookingDraft d = valid_draft();
  d.name = "";
  d.user_pin = "4829";
  d.moderator_pin = "12a456";
  d.number = "012345";
  d.duration_minutes = 481;
  d.language = "de";
  d.invitees = std::vector<Invitee>{{"not-an-email", "12", "123456"}, {"", "", ""}};
  auto errors = validate_draft(d, ConferenceLimits{}, true, at(0));
  std::map<std::string, FieldError> by_field;
  for (const auto& e : errors) {
    EXPECT_FALSE(e.reason.empty()) << e.field << ": " << e.message;
    by_field[e.field] = e;
  }
  EXPECT_EQ(by_field["name"].reason, "required");
  EXPECT_EQ(by_field["user_pin"].reason, "pin_length");
  EXPECT_EQ(by_field["user_pin"].params, (ErrorParams{{"length", std::int64_t{6}}}));
  EXPECT_EQ(by_field["user_pin"].message, "must be exactly 6 digits");
  EXPECT_EQ(by_field["moderator_pin"].reason, "digits_only");
  EXPECT_EQ(by_field["number"].reason, "leading_zero");
  EXPECT_EQ(by_field["duration_minutes"].reason, "range");
  EXPECT_EQ(by_field["duration_minutes"].params,
            (ErrorParams{{"min", std::int64_t{5}}, {"max", std::int64_t{480}}}));
  EXPECT_EQ(by_field["language"].reason, "one_of");
  EXPECT_EQ(by_field["invitees[0].email"].reason, "email_invalid");
  EXPECT_EQ(by_field["invitees[0].phone"].reason, "phone_length");
  EXPECT_EQ(by_field["invitees[0].personal_pin"].reason, "pin_trivial");
  EXPECT_EQ(by_field["invitees[1].email"].reason, "contact_required");
}

TEST(Validation, LimitsAreInclusive) {
  ConferenceLimits limits;
  BookingDraft d = valid_draft();
  d.max_participants = 2;
  d.duration_minutes = 5;
  d.validity_days = 1;
  EXPECT_TRUE(validate_draft(d, limits, true, at(0)).empty());
  d.max_participants = 100;
  d.duration_minutes = 480;
  d.validity_days = 365;
  EXPECT_TRUE(validate_draft(d, limits, true, at(0)).empty());
  d.max_participants = 1;
  d.duration_minutes = 4;
  d.validity_days = 366;
  EXPECT_EQ(validate_draft(d, limits, true, at(0)).size(), 3u);
  d = valid_draft();
  d.max_participants = 101;
  EXPECT_TRUE(has_field(validate_draft(d, limits, true, at(0)), "max_participants"));
}

TEST(Validation, UserAndModeratorPinsMustDiffer) {
  BookingDraft d = valid_draft();
  d.user_pin = "482915";
  d.moderator_pin = "482915";
  auto errors = validate_draft(d, ConferenceLimits{}, true, at(0));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "moderator_pin");
}

TEST(Validation, WindowAlreadyOverIsRefused) {
  BookingDraft d = valid_draft();
  d.valid_from = at(0);
  d.validity_days = 1;
  EXPECT_TRUE(has_field(validate_draft(d, ConferenceLimits{}, true, at(86400)), "valid_from"));
  EXPECT_TRUE(validate_draft(d, ConferenceLimits{}, true, at(86399)).empty());
}

TEST(Validation, CreatedViaAndAccessNumberOnlyOnCreate) {
  BookingDraft d;
  d.created_via = "phone";
  d.access_number = "0800123456";
  EXPECT_EQ(validate_draft(d, ConferenceLimits{}, false, at(0)).size(), 2u);
  d = valid_draft();
  d.created_via = "fax";
  d.access_number = "08x";
  EXPECT_EQ(validate_draft(d, ConferenceLimits{}, true, at(0)).size(), 2u);
}

}  // namespace
}  // namespace confpro::domain
