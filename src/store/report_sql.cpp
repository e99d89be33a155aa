// S5 reports: three filtered SQL reads (bookings planned, sessions opened, connections joined in the range),
// aggregated here per owner, per access number and per local day (a day depends on the zone and on DST, which
// portable SQL cannot compute).
#include <map>
#include <set>

#include "common/timezone.h"
#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

struct Accumulator {
  std::map<std::string, ReportRow> rows;
  ReportRow& at(const std::string& key) {
    auto& r = rows[key];
    r.key = key;
    return r;
  }
  std::vector<ReportRow> sorted() const {
    std::vector<ReportRow> out;
    for (const auto& [k, v] : rows) out.push_back(v);
    return out;
  }
};

std::string local_day(std::int64_t ms, const std::string& zone) {
  return format_local_time(from_epoch_ms(ms), zone).substr(0, 10);
}

// A booking counts as planned unless it was deleted without ever being used (issue 12 item 8: deleting keeps
// what was used; a booking made by mistake and deleted is not a planned conference).
const char* const kCounted =
    "(b.deleted_at IS NULL OR EXISTS (SELECT 1 FROM conference_sessions u WHERE u.booking_id = b.id))";

// The conferences of the report: planned in the range or used in it, with their use in the range.
void list_conferences(soci::session& sql, const ReportQuery& q, std::int64_t from, std::int64_t to,
                      Report& report) {
  const std::string owner_filter = q.owner.empty() ? "" : " AND b.owner = :owner";
  const std::string in_range =
      "FROM bookings b WHERE ((b.valid_from >= :from AND b.valid_from < :to AND " + std::string(kCounted) +
      ") OR EXISTS (SELECT 1 FROM conference_sessions r WHERE r.booking_id = b.id AND "
      "r.opened_at >= :from AND r.opened_at < :to))" +
      owner_filter;
  auto bind = [&](soci::statement& st) {
    st.exchange(soci::use(from, "from"));
    st.exchange(soci::use(to, "to"));
    if (!q.owner.empty()) st.exchange(soci::use(q.owner, "owner"));
  };
  std::vector<domain::Booking> bookings =
      load_bookings(sql,
                    "WHERE id IN (SELECT b.id " + in_range + ") ORDER BY valid_from, id LIMIT " +
                        std::to_string(kReportConferenceLimit + 1),
                    bind);
  if (static_cast<int>(bookings.size()) > kReportConferenceLimit) {
    bookings.resize(kReportConferenceLimit);
    report.conferences_truncated = true;
  }
  const auto deleted = restore_deleted(sql, bookings);
  std::map<std::int64_t, ReportConference*> by_id;
  report.conferences.reserve(bookings.size());
  for (const auto& b : bookings) {
    ReportConference c;
    c.id = b.id;
    c.number = b.number;
    c.name = b.name;
    c.owner = b.owner;
    c.planned_start = b.valid_from;
    c.planned_end = b.valid_until();
    c.duration_minutes = b.duration_minutes;
    c.state = deleted.contains(b.id.value()) ? "deleted" : domain::to_string(b.state);
    report.conferences.push_back(std::move(c));
  }
  for (auto& c : report.conferences) by_id[c.id.value()] = &c;
  if (by_id.empty()) return;
  std::string ids;
  for (const auto& [id, c] : by_id) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  // Per booking: how many rows of `table` started in the range, and their time up to `to` (open ones).
  auto per_booking = [&](const std::string& table, const char* start, const char* stop,
                         void (*store)(ReportConference&, std::int64_t count, std::int64_t ms)) {
    std::int64_t booking = 0, count = 0, ms = 0;
    const std::string until = std::string("COALESCE(") + stop + ", :to)";
    soci::statement st(sql);
    st.exchange(soci::into(booking));
    st.exchange(soci::into(count));
    st.exchange(soci::into(ms));
    st.exchange(soci::use(from, "from"));
    st.exchange(soci::use(to, "to"));
    st.alloc();
    st.prepare("SELECT booking_id, COUNT(*), CAST(SUM(CASE WHEN " + until + " > " + start + " THEN " + until +
               " - " + start + " ELSE 0 END) AS BIGINT) FROM " + table + " WHERE " + start +
               " >= :from AND " + start + " < :to AND booking_id IN (" + ids + ") GROUP BY booking_id");
    st.define_and_bind();
    st.execute();
    while (st.fetch()) store(*by_id[booking], count, ms);
  };
  per_booking("conference_sessions", "opened_at", "closed_at",
              [](ReportConference& c, std::int64_t n, std::int64_t ms) {
                c.sessions = n;
                c.conference_minutes = ms / 60000;
              });
  per_booking("participant_connections", "joined_at", "left_at",
              [](ReportConference& c, std::int64_t n, std::int64_t ms) {
                c.participants = n;
                c.participant_minutes = ms / 60000;
              });
}

}  // namespace

Result<Report> SqlStore::report(const ReportQuery& q) {
  return run<Report>("report", [&](soci::session& sql) -> Result<Report> {
    if (auto tz = validate_time_zone(q.time_zone); !tz) return tz.error();
    std::int64_t from = to_epoch_ms(q.from), to = to_epoch_ms(q.to);
    const std::string owner_filter = q.owner.empty() ? "" : " AND b.owner = :owner";
    auto bind = [&](soci::statement& st) {
      st.exchange(soci::use(from, "from"));
      st.exchange(soci::use(to, "to"));
      if (!q.owner.empty()) st.exchange(soci::use(q.owner, "owner"));
    };
    Accumulator owners, numbers, days;
    std::int64_t planned_total = 0, used_total = 0, conf_ms_total = 0, part_ms_total = 0;
    std::map<std::string, std::int64_t> conf_ms_owner, conf_ms_number, conf_ms_day, part_ms_owner,
        part_ms_number, part_ms_day;
    {
      std::string owner, access;
      std::int64_t valid_from = 0;
      soci::statement st(sql);
      st.exchange(soci::into(owner));
      st.exchange(soci::into(access));
      st.exchange(soci::into(valid_from));
      bind(st);
      st.alloc();
      st.prepare(
          "SELECT b.owner, b.access_number, b.valid_from FROM bookings b WHERE b.valid_from >= :from "
          "AND b.valid_from < :to AND " +
          std::string(kCounted) + owner_filter);
      st.define_and_bind();
      st.execute();
      while (st.fetch()) {
        ++planned_total;
        ++owners.at(owner).planned;
        if (!access.empty()) ++numbers.at(access).planned;
        ++days.at(local_day(valid_from, q.time_zone)).planned;
      }
    }
    std::map<std::int64_t, std::int64_t> session_ms;  // session id → duration counted
    {
      std::string owner;
      std::int64_t id = 0, opened = 0, duration = 0;
      soci::statement st(sql);
      st.exchange(soci::into(id));
      st.exchange(soci::into(owner));
      st.exchange(soci::into(opened));
      st.exchange(soci::into(duration));
      bind(st);
      st.alloc();
      st.prepare(
          "SELECT s.id, b.owner, s.opened_at, COALESCE(s.closed_at, :to) - s.opened_at FROM "
          "conference_sessions s JOIN bookings b ON b.id = s.booking_id WHERE s.opened_at >= :from "
          "AND s.opened_at < :to" +
          owner_filter);
      st.define_and_bind();
      st.execute();
      while (st.fetch()) {
        duration = std::max<std::int64_t>(duration, 0);
        session_ms[id] = duration;
        ++used_total;
        conf_ms_total += duration;
        ++owners.at(owner).used;
        conf_ms_owner[owner] += duration;
        const std::string day = local_day(opened, q.time_zone);
        ++days.at(day).used;
        conf_ms_day[day] += duration;
      }
    }
    {
      std::string owner, access;
      std::int64_t session = 0, joined = 0, duration = 0;
      std::set<std::pair<std::string, std::int64_t>> seen;  // (access number, session)
      soci::statement st(sql);
      st.exchange(soci::into(session));
      st.exchange(soci::into(owner));
      st.exchange(soci::into(access));
      st.exchange(soci::into(joined));
      st.exchange(soci::into(duration));
      bind(st);
      st.alloc();
      st.prepare(
          "SELECT c.session_id, b.owner, c.access_number, c.joined_at, COALESCE(c.left_at, :to) - "
          "c.joined_at "
          "FROM participant_connections c JOIN bookings b ON b.id = c.booking_id WHERE c.joined_at >= :from "
          "AND c.joined_at < :to" +
          owner_filter);
      st.define_and_bind();
      st.execute();
      while (st.fetch()) {
        duration = std::max<std::int64_t>(duration, 0);
        part_ms_total += duration;
        part_ms_owner[owner] += duration;
        part_ms_day[local_day(joined, q.time_zone)] += duration;
        // "" = direct dialling and dial-outs (invite by number): a row of its own, so the per-number table
        // adds up to the totals (issue 12 item 11).
        part_ms_number[access] += duration;
        numbers.at(access);
        if (seen.insert({access, session}).second) {
          auto it = session_ms.find(session);
          if (it != session_ms.end()) {
            ++numbers.at(access).used;
            conf_ms_number[access] += it->second;
          }
        }
      }
    }
    auto minutes = [](std::int64_t ms) { return ms / 60000; };
    auto finish = [&](Accumulator& acc, const std::map<std::string, std::int64_t>& conf,
                      const std::map<std::string, std::int64_t>& part) {
      for (const auto& [k, ms] : conf) acc.at(k).conference_minutes = minutes(ms);
      for (const auto& [k, ms] : part) acc.at(k).participant_minutes = minutes(ms);
      return acc.sorted();
    };
    Report report;
    report.totals = {"total", planned_total, used_total, minutes(conf_ms_total), minutes(part_ms_total)};
    report.per_owner = finish(owners, conf_ms_owner, part_ms_owner);
    report.per_access_number = finish(numbers, conf_ms_number, part_ms_number);
    report.per_day = finish(days, conf_ms_day, part_ms_day);
    list_conferences(sql, q, from, to, report);
    return report;
  });
}

}  // namespace confpro::store::detail
