// Issue 16 P3, "CDR rows match the connection history": two real callers join a billed conference (one
// through the access number, one dialling the conference number), one hangs up, the conference is ended from
// the web API; the CDR file the server writes on its own ([billing.cdr]) then holds one leg row per
// connection the web API's history shows (same callers, access numbers and times, durations within 1 s) and
// one conference row with the participants, the account and the captured amount; `confpro cdr export` prints
// the same rows again.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "e2e.h"
#include "web_client.h"

namespace confpro::conftest {
namespace {

using Row = std::map<std::string, std::string>;

// RFC 4180 records (quoted fields with "" and line breaks) → one map per row, keyed by the header.
std::vector<Row> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"')
        field += '"', ++i;
      else if (ch == '"')
        quoted = false;
      else
        field += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      record.push_back(field), field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(field), field.clear(), ++i;
      records.push_back(record), record.clear();
    } else {
      field += ch;
    }
  }
  std::vector<Row> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    Row row;
    for (size_t c = 0; c < records[0].size() && c < records[r].size(); ++c)
      row[records[0][c]] = records[r][c];
    rows.push_back(row);
  }
  return rows;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

long long as_int(const std::string& s) {
  return s.empty() ? -1 : std::atoll(s.c_str());
}

// A temporary folder for the CDR files, removed at the end ("" when it could not be made).
struct CdrDir {
  std::string dir;
  CdrDir() : dir((std::filesystem::temp_directory_path() / "confpro-cdr-XXXXXX").string()) {
    if (::mkdtemp(dir.data()) == nullptr) dir.clear();
  }
  ~CdrDir() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// The rows of CDR `file` once its last row is a conference row (the exporter wrote a whole session), or as they
// are after 20 s.
std::vector<Row> wait_for_conference_row(const std::string& file) {
  std::vector<Row> rows;
  const auto deadline = SteadyClock::now() + 20s;
  for (;;) {
    rows = parse_csv(read_file(file));
    if (!rows.empty() && rows.back()["record_type"] == "conference") return rows;
    if (SteadyClock::now() > deadline) return rows;
    std::this_thread::sleep_for(100ms);
  }
}

TEST_F(ConferenceTest, CdrRowsMatchTheConnectionHistory) {
  CdrDir cdr;
  ASSERT_FALSE(cdr.dir.empty());
  const std::string& cdr_dir = cdr.dir;
  ServerOptions o;
  o.extra_toml =
      "[[billing.plans]]\nname = \"team\"\nmax_duration_minutes = 120\nmax_participants = 10\n"
      "price = \"5.00\"\ncurrency = \"EUR\"\n[billing.cdr]\ndir = \"" +
      cdr_dir + "\"\ninterval_seconds = 1\nrotate_bytes = 1000000\n";
  auto web = start_with_admin(o);
  ASSERT_TRUE(web);
  ASSERT_EQ(server->cli({"account", "create", "acme", "--owner", "alice", "--credit", "50.00"}).exit_code, 0);
  const Conf c = book("billed", {"--account", "acme"});
  ASSERT_NE(c.id, 0) << "no booking";

  // The moderator through the access number, a user dialling the conference number.
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  auto u = dial_with_pin("U", c, c.user_pin, "0600000077", kToneB);
  ASSERT_TRUE(m && u);
  ASSERT_TRUE(wait_log("joined as moderator") && wait_log("joined as user"));
  ASSERT_TRUE(u->hang_up());
  ASSERT_EQ(
      web->post("/api/v1/conferences/live/" + std::to_string(c.id) + "/end", nlohmann::json::object()).status,
      204);
  EXPECT_TRUE(m->wait_ended(15s));

  // The exporter writes the rows once the session is closed and the booking settled (captured).
  const std::string file = cdr_dir + "/cdr.csv";
  const std::vector<Row> rows = wait_for_conference_row(file);
  ASSERT_EQ(rows.size(), 3u) << read_file(file) << server->log();

  // The history as the web API shows it.
  auto past = web->get("/api/v1/conferences/past?number=" + c.number).json();
  ASSERT_EQ(past.value("items", nlohmann::json::array()).size(), 1u) << past.dump();
  const auto session = past["items"][0];
  const std::string session_id = std::to_string(session.value("session_id", 0LL));
  auto detail = web->get("/api/v1/conferences/past/" + session_id).json();
  const auto connections = detail.value("connections", nlohmann::json::array());
  ASSERT_EQ(connections.size(), 2u) << detail.dump();

  std::vector<Row> legs;
  for (const auto& r : rows)
    if (r.at("record_type") == "leg") legs.push_back(r);
  ASSERT_EQ(legs.size(), connections.size());
  for (const auto& conn : connections) {
    const std::string id = std::to_string(conn.value("id", 0LL));
    auto it =
        std::find_if(legs.begin(), legs.end(), [&](const Row& r) { return r.at("connection_id") == id; });
    ASSERT_NE(it, legs.end()) << "no CDR row for connection " << id << ": " << read_file(file);
    const Row& leg = *it;
    EXPECT_EQ(leg.at("session_id"), session_id);
    EXPECT_EQ(leg.at("booking_id"), std::to_string(c.id));
    EXPECT_EQ(leg.at("conference_number"), c.number);
    EXPECT_EQ(leg.at("caller_number"), conn.value("caller_number", "?"));
    EXPECT_EQ(leg.at("access_number"), conn.value("access_number", "?"));
    EXPECT_EQ(leg.at("role"), conn.value("role", "?"));
    EXPECT_EQ(leg.at("start_utc"), conn.value("joined_at", "?"));
    EXPECT_EQ(leg.at("end_utc"), conn.value("left_at", "?"));
    EXPECT_EQ(leg.at("end_reason"), conn.value("leave_reason", "?"));
    EXPECT_NEAR(as_int(leg.at("duration_s")), conn.value("duration_seconds", -100LL), 1);
    EXPECT_EQ(leg.at("account"), "acme");
  }
  std::set<std::string> access;
  for (const auto& leg : legs) access.insert(leg.at("access_number"));
  EXPECT_EQ(access, (std::set<std::string>{"", kAccessNumber}))
      << "one by the access number, one dialled directly";

  const Row& conf = rows.back();
  EXPECT_EQ(conf.at("session_id"), session_id);
  EXPECT_EQ(conf.at("connection_id"), "");
  EXPECT_EQ(conf.at("start_utc"), session.value("opened_at", "?"));
  EXPECT_EQ(conf.at("end_utc"), session.value("closed_at", "?"));
  EXPECT_NEAR(as_int(conf.at("duration_s")), session.value("duration_seconds", -100LL), 1);
  EXPECT_EQ(conf.at("end_reason"), session.value("close_reason", "?"));
  EXPECT_EQ(conf.at("participants"), "2");
  EXPECT_EQ(conf.at("account"), "acme");
  EXPECT_EQ(conf.at("amount"), "5.00") << "the package captured at the end";
  EXPECT_EQ(conf.at("currency"), "EUR");

  // Re-export for a reconciliation: the same text, header included.
  auto again =
      server->cli({"cdr", "export", "--since", "2000-01-01T00:00:00Z", "--until", "2100-01-01T00:00:00Z"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, read_file(file));
}

// Issue 16 P1/P2/P4, "adjusted to actual use": a caller through a toll-free access number (the moderator, first
// in) and one through a local number stay a few seconds each and hang up or are cut off by the end. The plan
// includes 1 participant-minute, 0.50 per participant-minute beyond, 0.10 per toll-free minute: each leg is one
// started minute, so the capture is 5.00 (package, the hold) + 0.50 (the local leg's minute beyond the included
// one) + 0.10 (toll-free) = 5.60 — more than was held — with the breakdown in the statement; the CDR leg rows carry
// 0.10 and 0.50 and the conference row 5.60.
TEST_F(ConferenceTest, TheCaptureIsTheActualUseFromTheConnectionHistoryTollFreeAndOverage) {
  CdrDir cdr;
  ASSERT_FALSE(cdr.dir.empty());
  const std::string& cdr_dir = cdr.dir;
  const std::string toll_free = "0800300300";
  ServerOptions o;
  o.extra_toml = "[[access_numbers]]\nnumber = \"" + toll_free +
                 "\"\nlabel = \"Toll-free\"\nkind = \"toll-free\"\nlanguage = \"en\"\n"
                 "[[billing.plans]]\nname = \"team\"\nmax_duration_minutes = 120\nmax_participants = 10\n"
                 "price = \"5.00\"\ncurrency = \"EUR\"\noverage_per_participant_minute = \"0.50\"\n"
                 "included_participant_minutes = 1\ntoll_free_per_minute = \"0.10\"\n"
                 "[billing.cdr]\ndir = \"" +
                 cdr_dir + "\"\ninterval_seconds = 1\n";
  auto web = start_with_admin(o);
  ASSERT_TRUE(web);
  ASSERT_EQ(server->cli({"account", "create", "acme", "--owner", "alice", "--credit", "50.00", "--prepaid"}).exit_code,
            0);
  const Conf c = book("metered", {"--account", "acme"});
  ASSERT_NE(c.id, 0) << "no booking";
  EXPECT_EQ(web->get("/api/v1/accounts/acme").json().value("held", ""), "5.00");

  auto t = call("T", toll_free, kToneA);
  ASSERT_TRUE(t);
  t->press("2" + c.number + "#" + c.moderator_pin + "#");
  ASSERT_TRUE(t->wait_digits_sent(20s));
  ASSERT_TRUE(wait_log("joined as moderator"));
  auto l = join_via_menu("L", c, c.user_pin, kToneB);
  ASSERT_TRUE(l);
  ASSERT_TRUE(wait_log("joined as user"));
  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(l->hang_up());
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(
      web->post("/api/v1/conferences/live/" + std::to_string(c.id) + "/end", nlohmann::json::object()).status,
      204);
  EXPECT_TRUE(t->wait_ended(15s));

  // The exporter writes the rows once the session is closed and the booking settled.
  const std::string file = cdr_dir + "/cdr.csv";
  const std::vector<Row> rows = wait_for_conference_row(file);
  ASSERT_EQ(rows.size(), 3u) << read_file(file) << server->log();

  // The history, as the web API shows it: two legs, one per access number, each under a minute.
  auto past = web->get("/api/v1/conferences/past?number=" + c.number).json();
  ASSERT_EQ(past.value("items", nlohmann::json::array()).size(), 1u) << past.dump();
  const std::string session_id = std::to_string(past["items"][0].value("session_id", 0LL));
  auto detail = web->get("/api/v1/conferences/past/" + session_id).json();
  const auto connections = detail.value("connections", nlohmann::json::array());
  ASSERT_EQ(connections.size(), 2u) << detail.dump();
  std::map<std::string, std::string> connection_of;  // access number → connection id
  for (const auto& conn : connections) {
    connection_of[conn.value("access_number", "?")] = std::to_string(conn.value("id", 0LL));
    const long long s = conn.value("duration_seconds", -1LL);
    EXPECT_TRUE(s >= 2 && s < 60) << "each leg is one started minute: " << conn.dump();
    std::printf("leg via %s: %lld s\n", conn.value("access_number", "?").c_str(), s);
  }
  ASSERT_TRUE(connection_of.contains(toll_free) && connection_of.contains(kAccessNumber)) << detail.dump();

  // The statement: the capture line takes the package and the measured use.
  auto statement = web->get("/api/v1/accounts/acme/ledger").json();
  nlohmann::json capture;
  for (const auto& line : statement.value("items", nlohmann::json::array()))
    if (line.value("kind", "") == "capture") capture = line;
  ASSERT_FALSE(capture.is_null()) << statement.dump();
  EXPECT_EQ(capture.value("amount", ""), "-5.60") << capture.dump();
  EXPECT_EQ(capture.value("hold", ""), "-5.00") << "the whole hold is settled";
  EXPECT_EQ(capture.value("note", ""),
            "conference held: package 5.00 + overage 0.50 (1 participant-minute beyond 1) + toll-free 0.10 = 5.60 EUR");
  EXPECT_EQ(statement["account"].value("balance", ""), "44.40");
  EXPECT_EQ(statement["account"].value("held", ""), "0.00") << "ledger sums: nothing left held";

  // The CDR file: each leg's part, and the total captured on the conference row.
  std::map<std::string, Row> leg_rows;  // connection id → row
  for (const auto& r : rows)
    if (r.at("record_type") == "leg") leg_rows[r.at("connection_id")] = r;
  ASSERT_EQ(leg_rows.size(), 2u);
  EXPECT_EQ(leg_rows[connection_of[toll_free]].at("amount"), "0.10") << "toll-free, first in: within the package";
  EXPECT_EQ(leg_rows[connection_of[kAccessNumber]].at("amount"), "0.50") << "local, the minute beyond the package";
  for (auto& [id, r] : leg_rows) EXPECT_EQ(r.at("currency"), "EUR");
  EXPECT_EQ(rows.back().at("amount"), "5.60");
  EXPECT_EQ(rows.back().at("currency"), "EUR");
}

// Issue 16 P4 (live extension): a running ledger-billed conference is extended from the console's API. Its
// account cannot pay the longer package: refused 402, the conference keeps its end. Topped up by an
// administrator: the extension goes through, the hold follows the new price, and the caller is still in past the
// old end — the room took the new duration at once (ControlApi::booking_changed), not at the next store write.
TEST_F(ConferenceTest, ExtendingARunningBilledConferenceNeedsTheCreditAndMovesItsEnd) {
  ServerOptions o;
  o.time_scale = 20;  // 5 minutes last 15 s
  o.extra_toml =
      "[[billing.plans]]\nname = \"short\"\nmax_duration_minutes = 10\nmax_participants = 10\nprice = \"2.00\"\n"
      "currency = \"EUR\"\n[[billing.plans]]\nname = \"long\"\nmax_duration_minutes = 120\n"
      "max_participants = 10\nprice = \"5.00\"\ncurrency = \"EUR\"\n";
  auto web = start_with_admin(o);
  ASSERT_TRUE(web);
  ASSERT_EQ(server->cli({"account", "create", "acme", "--owner", "alice", "--credit", "4.00", "--prepaid"}).exit_code,
            0);
  const Conf c = book("extended", {"--account", "acme", "--duration", "5"});
  ASSERT_NE(c.id, 0) << "no booking";
  auto m = join_via_menu("M", c, c.moderator_pin, kToneA);
  ASSERT_TRUE(m);
  ASSERT_TRUE(wait_log("joined as moderator"));
  const auto joined = SteadyClock::now();
  const std::string extend = "/api/v1/conferences/live/" + std::to_string(c.id) + "/extend";

  auto refused = web->post(extend, {{"minutes", 15}});
  EXPECT_EQ(refused.status, 402) << refused.body;
  EXPECT_NE(refused.body.find("credit"), std::string::npos) << refused.body;
  ASSERT_EQ(server->cli({"account", "adjust", "acme", "10.00", "--reason", "top-up during the call"}).exit_code, 0);
  auto extended = web->post(extend, {{"minutes", 15}});
  ASSERT_EQ(extended.status, 200) << extended.body;
  EXPECT_EQ(extended.json().value("duration_minutes", 0), 20);
  auto account = web->get("/api/v1/accounts/acme");
  EXPECT_EQ(account.json().value("held", ""), "5.00") << account.body;

  // The old end (5 min = 15 s here) passes with the caller still in; the new one (20 min = 60 s) is far.
  EXPECT_FALSE(m->wait_ended(std::chrono::duration_cast<std::chrono::milliseconds>(joined + 20s - SteadyClock::now())))
      << "the conference ended at its old end";
  auto live = web->get("/api/v1/conferences/live/" + std::to_string(c.id));
  EXPECT_EQ(live.status, 200) << live.body;
  ASSERT_EQ(web->post("/api/v1/conferences/live/" + std::to_string(c.id) + "/end", nlohmann::json::object()).status,
            204);
  EXPECT_TRUE(m->wait_ended(15s));
}

}  // namespace
}  // namespace confpro::conftest
