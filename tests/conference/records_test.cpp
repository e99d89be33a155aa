// Issue 12 items 8 and 11 with real calls: a conference used through an access number and by dialling its number
// directly (the report's direct/dial-out row; a dial-out is recorded the same way, without an access number) is
// deleted from the web API while it runs. It ends properly first (callers hear the end and are hung
// up, the history writer records every leave and the close without an error), the booking is only marked
// deleted, its number no longer answers, and Past and the report keep it, per access number too.
#include <ctime>
#include <map>

#include "e2e.h"
#include "web_client.h"

namespace confpro::conftest {
namespace {

using domain::Language;

// Today in Europe/Paris (the servers' zone) as YYYY-MM-DD, for the report's range.
std::string paris_today() {
  setenv("TZ", "Europe/Paris", 1);
  tzset();
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &local);
  return day;
}

TEST_F(ConferenceTest, DeletingARunningConferenceEndsItAndKeepsItsHistoryAndReport) {
  auto web = start_with_admin();
  ASSERT_TRUE(web);
  const Conf c = book("records");
  ASSERT_NE(c.id, 0) << "no booking";
  const std::string id = std::to_string(c.id);

  // The moderator comes in through the access number, a user by dialling the conference number.
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  auto u = dial_with_pin("U", c, c.user_pin, "0600000077", kToneB);
  ASSERT_TRUE(u);
  ASSERT_TRUE(wait_log("joined as user"));
  EXPECT_SQL_EQ(*server,
                "SELECT access_number FROM participant_connections WHERE booking_id = " + id +
                    " AND left_at IS NULL ORDER BY access_number",
                std::vector<std::string>{"", "3001"});

  // Delete it while it runs.
  auto r = web->del("/api/v1/bookings/" + id);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(m->wait_ended(20s)) << "the moderator was not hung up";
  EXPECT_TRUE(u->wait_ended(20s)) << "the user was not hung up";
  // Every leave and the close are written; the booking is marked deleted, not erased.
  EXPECT_SQL_EQ(*server, "SELECT count(*) FROM participant_connections WHERE booking_id = " + id + " AND left_at IS NOT NULL",
                std::vector<std::string>{"2"});
  EXPECT_SQL_EQ(*server, "SELECT close_reason FROM conference_sessions WHERE booking_id = " + id,
                std::vector<std::string>{"ended-by-admin"});
  EXPECT_SQL_EQ(*server, "SELECT deleted_by, deleted_number FROM bookings WHERE id = " + id,
                std::vector<std::string>{"root|" + c.number});
  EXPECT_FALSE(server->log_contains("history writer")) << server->log();
  EXPECT_FALSE(server->log_contains("end not stored")) << server->log();

  // Its number no longer answers.
  Softphone late("late", 0, "0600000098");
  late.dial(c.number, server->sip_port());
  EXPECT_FALSE(late.wait_answered(5s)) << "a deleted conference's number was answered";
  EXPECT_EQ(late.final_status(), 404);

  // Past and the report keep it.
  auto past = web->get("/api/v1/conferences/past?number=" + c.number).json();
  ASSERT_EQ(past.value("items", nlohmann::json::array()).size(), 1u) << past.dump();
  EXPECT_TRUE(past["items"][0].value("deleted", false));
  const std::string day = paris_today();
  auto report = web->get("/api/v1/reports?from=" + day + "&to=" + day).json();
  std::map<std::string, int> used;
  for (const auto& row : report.value("per_access_number", nlohmann::json::array()))
    used[row.value("key", "?")] = row.value("used", 0);
  EXPECT_EQ(used[""], 1) << report.dump();
  EXPECT_EQ(used["3001"], 1) << report.dump();
  bool listed = false;
  for (const auto& conf : report.value("conferences", nlohmann::json::array()))
    listed = listed || (conf.value("booking_id", 0LL) == c.id && conf.value("state", "") == "deleted");
  EXPECT_TRUE(listed) << report.dump();
}

}  // namespace
}  // namespace confpro::conftest
