#include "web/event_hub.h"

#include <gtest/gtest.h>

#include "web/fake_control_api.h"

namespace confpro::web {
namespace {

conference::ConferenceEvent joined(std::string owner, std::uint64_t seq) {
  conference::ConferenceEvent e;
  e.seq = seq;
  e.type = "joined";
  e.booking = BookingId{7};
  e.number = "123456";
  e.owner = std::move(owner);
  e.at = from_epoch_ms(1'700'000'000'000);
  conference::LiveParticipant p;
  p.id = ParticipantId{3};
  p.caller_number = "+33123456789";
  p.role = "user";
  e.participant = p;
  return e;
}

TEST(FormatSse, CarriesTypeSeqAndJson) {
  auto text = format_sse(joined("alice", 42));
  EXPECT_EQ(text.rfind("event: joined\nid: 42\ndata: {", 0), 0u);
  EXPECT_EQ(text.substr(text.size() - 2), "\n\n");
  auto json = nlohmann::json::parse(text.substr(text.find("data: ") + 6));
  EXPECT_EQ(json["participant"]["caller_number"], "+33123456789");
  EXPECT_EQ(json["booking_id"], 7);
}

TEST(LiveJson, AConferenceWaitingForItsLeaderHasNoTimesAndSaysWhoWaits) {
  conference::LiveConference c;
  c.booking = BookingId{7};
  c.waiting_for_leader = true;
  conference::LiveParticipant p;
  p.waiting = true;
  p.listen_only = true;
  c.participants.push_back(p);
  auto j = to_json(c);
  EXPECT_TRUE(j["ends_at"].is_null()) << j.dump();  // was "1970-01-01T00:00:00Z": "Ends at 01:00:00" in Paris
  EXPECT_TRUE(j["opened_at"].is_null()) << j.dump();
  EXPECT_EQ(j["participants"][0]["waiting"], true);
  EXPECT_EQ(j["participants"][0]["listen_only"], true);
  EXPECT_EQ(j["invites"], nlohmann::json::array());
  c.opened_at = from_epoch_ms(1'700'000'000'000);
  c.ends_at = from_epoch_ms(1'700'003'600'000);
  c.invites.push_back({"invite-1", "0712345678", "refused", "locked", c.opened_at});
  j = to_json(c);
  EXPECT_EQ(j["ends_at"], "2023-11-14T23:13:20Z");
  EXPECT_EQ(j["invites"][0]["state"], "refused");
  EXPECT_EQ(j["invites"][0]["reason"], "locked");
}

TEST(FormatSse, AnInviteEventCarriesTheInvitesState) {
  auto e = joined("alice", 5);
  e.type = "invite";
  e.participant.reset();
  e.invite = conference::LiveInvite{"invite-2", "0712345678", "joined", "", e.at};
  auto text = format_sse(e);
  auto json = nlohmann::json::parse(text.substr(text.find("data: ") + 6));
  EXPECT_EQ(json["invite"]["id"], "invite-2");
  EXPECT_EQ(json["invite"]["state"], "joined");
}

TEST(EventHub, AdminSeesEveryEventOrganizerOnlyOwn) {
  testing::FakeControlApi control;
  EventHub hub(&control);
  std::vector<std::string> admin_got, alice_got, bob_got;
  hub.add({"root", "", "admin"}, [&](const std::string& t) { admin_got.push_back(t); return true; });
  hub.add({"alice", "", "organizer"}, [&](const std::string& t) { alice_got.push_back(t); return true; });
  hub.add({"bob", "", "organizer"}, [&](const std::string& t) { bob_got.push_back(t); return true; });
  control.emit(joined("alice", 1));
  control.emit(joined("bob", 2));
  EXPECT_EQ(admin_got.size(), 2u);
  ASSERT_EQ(alice_got.size(), 1u);
  EXPECT_NE(alice_got[0].find("id: 1\n"), std::string::npos);
  ASSERT_EQ(bob_got.size(), 1u);
  EXPECT_NE(bob_got[0].find("id: 2\n"), std::string::npos);
}

TEST(EventHub, DeadStreamsAreDropped) {
  testing::FakeControlApi control;
  EventHub hub(&control);
  int writes = 0;
  hub.add({"root", "", "admin"}, [&](const std::string&) { ++writes; return false; });
  EXPECT_EQ(hub.size(), 1u);
  hub.heartbeat();
  EXPECT_EQ(hub.size(), 0u);
  control.emit(joined("alice", 1));
  EXPECT_EQ(writes, 1);
}

TEST(EventHub, UnsubscribesWhenDestroyed) {
  testing::FakeControlApi control;
  {
    EventHub hub(&control);
    EXPECT_EQ(control.subscriber_count(), 1u);
  }
  EXPECT_EQ(control.subscriber_count(), 0u);
}

TEST(EventHub, WorksWithoutALiveService) {
  EventHub hub(nullptr);
  std::string got;
  hub.add({"root", "", "admin"}, [&](const std::string& t) { got = t; return true; });
  hub.heartbeat();
  EXPECT_EQ(got, ": heartbeat\n\n");
}

}  // namespace
}  // namespace confpro::web
