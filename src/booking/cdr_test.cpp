// The CDR rows (issue 16 P3): pure row building and CSV, then the exporter over a real SQLite store and
// folder.
#include "booking/cdr.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "booking/cdr_exporter.h"
#include "common/csv.h"
#include "store/fault_injection.h"
#include "store/test_support.h"

namespace confpro::booking {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = from_epoch_ms(1'800'000'000'000);  // 2027-01-15 08:00:00 UTC

store::SessionWithBooking sample_session() {
  store::SessionWithBooking s;
  s.session.id = SessionId{7};
  s.session.booking = BookingId{3};
  s.session.number = "734912";
  s.session.opened_at = kT0;
  s.session.closed_at = kT0 + minutes{10} + std::chrono::milliseconds{1500};
  s.session.close_reason = "ended-by-moderator";
  s.session.node = "node1";
  s.booking.id = BookingId{3};
  s.booking.name = "Weekly";
  s.booking.owner = "alice";
  return s;
}

store::ParticipantConnection leg(std::int64_t id, const std::string& caller, const std::string& name,
                                 TimePoint joined, std::optional<TimePoint> left) {
  store::ParticipantConnection c;
  c.id = ConnectionId{id};
  c.session = SessionId{7};
  c.booking = BookingId{3};
  c.caller_number = caller;
  c.caller_name = name;
  c.access_number = "0800300300";
  c.joined_at = joined;
  c.left_at = left;
  c.leave_reason = "hangup";
  return c;
}

TEST(CdrTest, CsvQuotesAndDisarmsFormulas) {
  EXPECT_EQ(csv_line({"a", "b,c", "say \"hi\"", "two\nlines", "=SUM(A1)", "+33611", "-1", "@x", ""}),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",'=SUM(A1),'+33611,'-1,'@x,\r\n");
}

TEST(CdrTest, BillingIsTheFirstAccountAndTheSumOfCaptures) {
  EXPECT_EQ(cdr_billing({}).account, "");
  EXPECT_FALSE(cdr_billing({}).captured);
  std::vector<store::LedgerEntry> lines{
      {1, "acme", kT0, "reserve", 0, 500, BookingId{3}, "alice", ""},
      {2, "acme", kT0, "capture", -500, -500, BookingId{3}, "system", ""},
  };
  auto b = cdr_billing(lines);
  EXPECT_EQ(b.account, "acme");
  EXPECT_EQ(b.captured, 500);
  lines.pop_back();
  EXPECT_FALSE(cdr_billing(lines).captured) << "reserved, never captured";
}

TEST(CdrTest, OneRowPerLegThenTheConference) {
  auto s = sample_session();
  std::vector<store::ParticipantConnection> legs{
      leg(11, "+33611111111", "Dupont, \"Jo\"\n", kT0 + seconds{5},
          kT0 + minutes{3} + std::chrono::milliseconds{999}),
      leg(12, "anonymous", "=cmd|' /C calc'!A0", kT0 + seconds{20}, std::nullopt),
  };
  legs[1].invitee = "bob@example.com";
  legs[1].role = "moderator";
  CdrBilling billing{"acme", 1250, "EUR"};
  auto rows = cdr_rows(s, legs, billing);
  ASSERT_EQ(rows.size(), 3u);
  const auto header = cdr_header();
  for (const auto& r : rows) EXPECT_EQ(r.size(), header.size());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"leg",
                                               "7",
                                               "11",
                                               "3",
                                               "734912",
                                               "Weekly",
                                               "alice",
                                               "+33611111111",
                                               "Dupont, \"Jo\"\n",
                                               "0800300300",
                                               "",
                                               "user",
                                               "2027-01-15T08:00:05Z",
                                               "2027-01-15T08:03:00Z",
                                               "175",
                                               "hangup",
                                               "",
                                               "acme",
                                               "",
                                               "",
                                               "node1"}));
  EXPECT_EQ(rows[1][10], "bob@example.com");
  EXPECT_EQ(rows[1][11], "moderator");
  EXPECT_EQ(rows[1][13], "") << "still open: no end";
  EXPECT_EQ(rows[1][14], "");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"conference",
                                               "7",
                                               "",
                                               "3",
                                               "734912",
                                               "Weekly",
                                               "alice",
                                               "",
                                               "",
                                               "",
                                               "",
                                               "",
                                               "2027-01-15T08:00:00Z",
                                               "2027-01-15T08:10:01Z",
                                               "601",
                                               "ended-by-moderator",
                                               "2",
                                               "acme",
                                               "12.50",
                                               "EUR",
                                               "node1"}));
  EXPECT_EQ(cdr_rows(s, {}, {})[0][17], "") << "not billed: no account";
  EXPECT_EQ(cdr_rows(s, {}, {})[0][18], "");
  // The text of a row with a comma, quotes and a newline in a caller name is still one CSV record.
  const std::string text = csv_line(rows[0]);
  EXPECT_NE(text.find("\"Dupont, \"\"Jo\"\"\n\""), std::string::npos) << text;
  EXPECT_NE(csv_line(rows[1]).find(",'=cmd|' /C calc'!A0,"), std::string::npos);
}

// The exporter over a real SQLite store and folder.
class CdrExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::testing::open_migrated(dir_.path() / "t.db");
    ASSERT_TRUE(store_);
    options_.dir = (dir_.path() / "cdr").string();
  }
  // A booking that ran kT0..kT0+10 min with `callers`, ended (so its ledger is settled) unless
  // `still_active`.
  SessionId conference(const std::string& number, const std::vector<std::string>& callers,
                       bool still_active = false) {
    auto b = store::testing::sample_booking("B" + number, number, kT0);
    b.state = domain::BookingState::kActive;
    b.opened_at = kT0;
    b = store_->insert_booking(b, {}).value();
    store::ConferenceSession s;
    s.booking = b.id;
    s.number = number;
    s.opened_at = kT0;
    s.node = "node1";
    s = store_->open_session(s).value();
    for (size_t i = 0; i < callers.size(); ++i) {
      store::ParticipantConnection c;
      c.session = s.id;
      c.booking = b.id;
      c.caller_number = callers[i];
      c.joined_at = kT0 + seconds{static_cast<int>(i)};
      auto stored = store_->start_connection(c).value();
      EXPECT_TRUE(store_->end_connection(stored.id, kT0 + minutes{5}, "hangup", 0, 0, 0).ok());
    }
    EXPECT_TRUE(store_->close_session(s.id, kT0 + minutes{10}, "ended-by-moderator").ok());
    if (!still_active) {
      b.state = domain::BookingState::kEnded;
      b.ended_at = kT0 + minutes{10};
      EXPECT_TRUE(store_->update_booking(b, b.version, {}).ok());
    }
    return s.id;
  }
  std::vector<std::string> lines(const std::string& file) const {
    std::ifstream in(std::filesystem::path(options_.dir) / file, std::ios::binary);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(options_.dir))
      out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{kT0 + minutes{20}};
  CdrOptions options_;
};

TEST_F(CdrExporterTest, ExportsSettledSessionsOnceWithAHeader) {
  conference("111111", {"+33611111111", "+33622222222"});
  conference("222222", {"+33633333333"}, /*still_active=*/true);
  CdrExporter exporter(*store_, clock_, options_);
  EXPECT_EQ(exporter.export_pending().value(), 1);
  auto got = lines("cdr.csv");
  ASSERT_EQ(got.size(), 4u);  // header, 2 legs, the conference
  EXPECT_EQ(got[0].rfind("record_type,session_id,connection_id,", 0), 0u) << got[0];
  EXPECT_EQ(got[1].rfind("leg,1,1,1,111111,", 0), 0u) << got[1];
  EXPECT_NE(got[1].find(",'+33611111111,"), std::string::npos) << got[1];
  EXPECT_EQ(got[3].rfind("conference,1,,1,111111,", 0), 0u) << got[3];
  EXPECT_EQ(exporter.export_pending().value(), 0) << "exported once";
  EXPECT_EQ(lines("cdr.csv").size(), 4u);
  conference("333333", {"+33644444444"});
  EXPECT_EQ(exporter.export_pending().value(), 1);
  got = lines("cdr.csv");
  ASSERT_EQ(got.size(), 6u) << "appended, no second header";
  EXPECT_EQ(got[5].rfind("conference,3,", 0), 0u) << got[5];
}

// A crash (here: the store failing) between the append and the mark: the next pass writes the rows again —
// duplicates with the same ids, never a lost row — and a folder that cannot be written marks nothing.
TEST_F(CdrExporterTest, AFailedMarkRepeatsRowsAndAFailedWriteMarksNothing) {
  store::FaultInjectingStore faulty(*store_);
  conference("111111", {"+33611111111"});
  CdrExporter exporter(faulty, clock_, options_);
  faulty.fail_next("mark_cdr_exported", 1, Error::unavailable("database down"));
  EXPECT_FALSE(exporter.export_pending().ok());
  ASSERT_EQ(lines("cdr.csv").size(), 3u) << "written and synced before the mark";
  EXPECT_EQ(exporter.export_pending().value(), 1);
  auto got = lines("cdr.csv");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[1], got[3]) << "the same leg row again: deduplicated on its ids";
  EXPECT_EQ(got[2], got[4]);
  EXPECT_EQ(exporter.export_pending().value(), 0);

  conference("222222", {"+33622222222"});
  std::filesystem::remove_all(options_.dir);
  { std::ofstream block(options_.dir); }  // a file where the folder should be: nothing can be written
  EXPECT_FALSE(exporter.export_pending().ok());
  std::filesystem::remove(options_.dir);
  EXPECT_EQ(exporter.export_pending().value(), 1) << "still pending: not marked when the write failed";
  EXPECT_NE(lines("cdr.csv").back().find(",222222,"), std::string::npos);
}

TEST_F(CdrExporterTest, RotatesBySizeWithoutSplittingASession) {
  options_.rotate_bytes = 600;
  CdrExporter exporter(*store_, clock_, options_);
  conference("111111", {"+33611111111", "+33622222222"});
  ASSERT_EQ(exporter.export_pending().value(), 1);
  conference("222222", {"+33633333333", "+33644444444"});
  ASSERT_EQ(exporter.export_pending().value(), 1);
  auto names = files();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].rfind("cdr-", 0), 0u);
  EXPECT_EQ(names[1], "cdr.csv");
  auto rotated = lines(names[0]);
  auto current = lines("cdr.csv");
  ASSERT_EQ(rotated.size(), 4u);
  ASSERT_EQ(current.size(), 4u);
  EXPECT_EQ(current[0], rotated[0]) << "each file has the header";
  EXPECT_NE(rotated[3].find(",111111,"), std::string::npos);
  EXPECT_NE(current[3].find(",222222,"), std::string::npos);
}

TEST_F(CdrExporterTest, RotatesDailyAndEndsATornLine) {
  options_.rotate_daily = true;
  CdrFile file(options_);
  ASSERT_TRUE(file.append("a,b\r\n").ok());
  {  // a crash left half a line
    std::ofstream out(file.current_path(), std::ios::app | std::ios::binary);
    out << "leg,9,9,torn";
  }
  ASSERT_TRUE(file.append("c,d\r\n").ok());
  auto got = lines("cdr.csv");
  ASSERT_EQ(got.size(), 4u) << ::testing::PrintToString(got);
  EXPECT_EQ(got[2], "leg,9,9,torn\r");
  EXPECT_EQ(got[3], "c,d\r");
  // Last written yesterday (UTC): the next append starts a new file.
  const auto yesterday = std::filesystem::file_time_type::clock::now() - std::chrono::hours{25};
  std::filesystem::last_write_time(file.current_path(), yesterday);
  ASSERT_TRUE(file.append("e,f\r\n").ok());
  ASSERT_EQ(files().size(), 2u);
  got = lines("cdr.csv");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "e,f\r");
}

}  // namespace
}  // namespace confpro::booking
