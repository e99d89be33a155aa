#include "domain/phone.h"

#include <gtest/gtest.h>

#include "domain/lifecycle.h"

namespace confpro::domain {
namespace {

// The SIP edge's rules (they were sip::normalize_number's tests; sip/ now calls this function).
TEST(Phone, SeparatorsAreRemovedAndPlusBecomesDoubleZero) {
  EXPECT_EQ(normalize_phone("+33 (1) 23-45.67.89", {}), "0033123456789");
  EXPECT_EQ(normalize_phone("+33\t1 23", {}), "0033123");
}

TEST(Phone, FirstMatchingRuleRewritesThePrefix) {
  std::vector<NumberRule> rules = {{"0033", "0"}, {"00", "+"}};
  EXPECT_EQ(normalize_phone("+33 1 23 45 67 89", rules), "0123456789");
  EXPECT_EQ(normalize_phone("0044201", rules), "+44201");
  EXPECT_EQ(normalize_phone("0123", rules), "0123");
}

TEST(Phone, ANameStaysAName) {
  EXPECT_EQ(normalize_phone("alice", {}), "alice");
  EXPECT_EQ(normalize_phone("anonymous", {{"0033", "0"}}), "anonymous");
}

// A booking's phone numbers keep the form people typed, tidied (what the API and the console show).
TEST(Phone, BookingsKeepTheTypedFormTidied) {
  EXPECT_EQ(tidy_phone(" +33 (1) 23-45.67 "), "+331234567");
  EXPECT_EQ(tidy_phone("06 12 34 56 78"), "0612345678");
  EXPECT_EQ(tidy_phone("33+12"), "3312");
}

// Where the two normalisers used to disagree (issue 14: an invitee stored as "+33…" never matched a caller
// arriving as "0033…"; the old domain::normalize_phone kept the '+', sip's turned it into "00").
TEST(Phone, TheFormsTheOldNormalisersToldApartAreOnePhone) {
  EXPECT_TRUE(same_phone("+33612345678", "0033612345678"));
  EXPECT_TRUE(same_phone("+33 6 12 34 56 78", "0033 6 12 34 56 78"));
  EXPECT_TRUE(same_phone("+33 (6) 12-34.56.78", "0033612345678"));
  // With the operator's rule, the national form too (a trunk sends "06…", the booking says "+33 6…").
  const std::vector<NumberRule> france = {{"0033", "0"}};
  EXPECT_TRUE(same_phone("+33612345678", "0612345678", france));
  EXPECT_TRUE(same_phone("0033612345678", "06 12 34 56 78", france));
  EXPECT_FALSE(same_phone("+33612345678", "0612345678"));  // no rule: nothing says +33 is France's 0
  EXPECT_FALSE(same_phone("+33612345678", "+33699999999", france));
  EXPECT_FALSE(same_phone("", "", france));
  EXPECT_FALSE(same_phone("anonymous", "", france));
}

TEST(Phone, AnInviteeIsRecognisedInEveryFormOfTheirNumber) {
  Booking b;
  b.join_policy = JoinPolicy::kAllowListOnly;
  b.user_pin = "482915";
  b.moderator_pin = "739164";
  b.invitees = {{"bob@example.com", tidy_phone("+33 6 12 34 56 78"), ""}};
  EXPECT_TRUE(caller_allowed(b, "0033612345678", "482915"));  // refused before: "+336…" ≠ "00336…"
  EXPECT_TRUE(caller_allowed(b, "0612345678", "482915", {{"0033", "0"}}));
  EXPECT_FALSE(caller_allowed(b, "0612345678", "482915"));
  EXPECT_FALSE(caller_allowed(b, "0033699999999", "482915", {{"0033", "0"}}));
}

}  // namespace
}  // namespace confpro::domain
