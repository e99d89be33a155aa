// Admission per source (issue 11): calls from one address that sit in the IVR, not yet in a conference, are
// capped (sip.max_ivr_calls_per_source); a caller in a conference or gone frees its place.
#include "e2e.h"

namespace confpro::conftest {
namespace {

TEST_F(ConferenceTest, OneSourceGetsAtMostItsIvrCapOfCallsBeforeAConference) {
  ServerOptions options;
  options.settings["sip.max_ivr_calls_per_source"] = "2";
  const Conf c = start_with_booking(options, "ivr-cap");
  ASSERT_FALSE(HasFatalFailure());
  auto in_room = join_via_menu("in-room", c, c.user_pin);  // in the conference: not counted
  ASSERT_TRUE(in_room);
  ASSERT_TRUE(wait_log("joined as user"));
  auto a = call("A", kAccessNumber);
  auto b = call("B", kAccessNumber);
  ASSERT_TRUE(a && b) << "two calls from one source fit in the IVR";

  Softphone third("third");
  third.dial(kAccessNumber, server->sip_port());
  EXPECT_FALSE(third.wait_answered(10s));
  EXPECT_EQ(third.final_status(), 503) << "a third call in the IVR from the same source is refused";
  EXPECT_TRUE(server->log_contains("calls from this source in the IVR already"));

  ASSERT_TRUE(a->hang_up());
  EXPECT_TRUE(call("D", kAccessNumber)) << "a caller who hung up freed its place";
}

}  // namespace
}  // namespace confpro::conftest
