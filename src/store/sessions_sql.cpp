// Conference sessions and participant connections (sql_store.h).
#include <algorithm>

#include "store/sql_store.h"

// Rows → structs by SOCI (soci::into(session) reads a whole row): columns in the order of kSessionColumns and
// of list_connections' SELECT.
namespace soci {
template <>
struct type_conversion<confpro::store::ConferenceSession> {
  using base_type = values;
  static void from_base(const values& v, indicator, confpro::store::ConferenceSession& s) {
    using namespace confpro::store::detail;
    s = {};
    s.id = confpro::SessionId{int_at(v, 0)};
    s.booking = confpro::BookingId{int_at(v, 1)};
    s.number = v.get<std::string>(2);
    s.opened_at = confpro::from_epoch_ms(int_at(v, 3));
    if (auto closed = optional_int_at(v, 4)) s.closed_at = confpro::from_epoch_ms(*closed);
    s.close_reason = v.get<std::string>(5);
    s.recording_path = v.get<std::string>(6);
    s.node = v.get<std::string>(7);
  }
};

template <>
struct type_conversion<confpro::store::ParticipantConnection> {
  using base_type = values;
  static void from_base(const values& v, indicator, confpro::store::ParticipantConnection& c) {
    using namespace confpro::store::detail;
    c = {};
    c.id = confpro::ConnectionId{int_at(v, 0)};
    c.session = confpro::SessionId{int_at(v, 1)};
    c.booking = confpro::BookingId{int_at(v, 2)};
    c.caller_number = v.get<std::string>(3);
    c.caller_name = v.get<std::string>(4);
    c.role = v.get<std::string>(5);
    c.access_number = v.get<std::string>(6);
    c.call_ref = v.get<std::string>(7);
    c.joined_at = confpro::from_epoch_ms(int_at(v, 8));
    if (auto left = optional_int_at(v, 9)) c.left_at = confpro::from_epoch_ms(*left);
    c.leave_reason = v.get<std::string>(10);
    c.codec = v.get<std::string>(11);
    c.remote_address = v.get<std::string>(12);
    c.loss_fraction = v.get<double>(13);
    c.jitter_ms = v.get<double>(14);
    c.rtt_ms = v.get<double>(15);
    c.invitee = v.get<std::string>(16);
  }
};
}  // namespace soci

namespace confpro::store::detail {

namespace {

const char* const kSessionColumns =
    "s.id, s.booking_id, s.number, s.opened_at, s.closed_at, s.close_reason, s.recording_path, s.node";

}  // namespace

Result<ConferenceSession> SqlStore::open_session(const ConferenceSession& s) {
  return run<ConferenceSession>("open session", [&](soci::session& sql) -> Result<ConferenceSession> {
    std::int64_t id = 0, booking = s.booking.value(), opened = to_epoch_ms(s.opened_at);
    sql << "INSERT INTO conference_sessions (booking_id, number, opened_at, close_reason, recording_path, "
           "node) "
           "VALUES (:booking, :number, :opened, '', :recording, :node) RETURNING id",
        soci::use(booking, "booking"), soci::use(s.number, "number"), soci::use(opened, "opened"),
        soci::use(s.recording_path, "recording"), soci::use(s.node, "node"), soci::into(id);
    ConferenceSession stored = s;
    stored.id = SessionId{id};
    stored.closed_at.reset();
    stored.close_reason.clear();
    return stored;
  });
}

Status SqlStore::close_session(SessionId id, TimePoint closed_at, const std::string& reason) {
  return run_status("close session", [&](soci::session& sql) -> Status {
    std::int64_t raw = id.value(), at = to_epoch_ms(closed_at);
    soci::statement st =
        (sql.prepare << "UPDATE conference_sessions SET closed_at = :at, close_reason = :reason "
                        "WHERE id = :id AND closed_at IS NULL",
         soci::use(at, "at"), soci::use(reason, "reason"), soci::use(raw, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 1) return {};
    int count = 0;
    sql << "SELECT COUNT(*) FROM conference_sessions WHERE id = :id", soci::use(raw, "id"), soci::into(count);
    if (count == 0) return Error::not_found("no such session");
    return Error::precondition("session already closed");
  });
}

Status SqlStore::set_recording_path(SessionId id, const std::string& path) {
  return run_status("set recording", [&](soci::session& sql) -> Status {
    std::int64_t raw = id.value();
    soci::statement st = (sql.prepare << "UPDATE conference_sessions SET recording_path = :p WHERE id = :id",
                          soci::use(path, "p"), soci::use(raw, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such session");
    return {};
  });
}

Result<ConferenceSession> SqlStore::get_session(SessionId id) {
  return run<ConferenceSession>("get session", [&](soci::session& sql) -> Result<ConferenceSession> {
    ConferenceSession session;
    std::int64_t raw = id.value();
    soci::statement st(sql);
    st.exchange(soci::into(session));
    st.exchange(soci::use(raw, "id"));
    st.alloc();
    st.prepare(std::string("SELECT ") + kSessionColumns + " FROM conference_sessions s WHERE s.id = :id");
    st.define_and_bind();
    st.execute();
    if (!st.fetch()) return Error::not_found("no such session");
    return session;
  });
}

Result<Page<SessionWithBooking>> SqlStore::list_sessions(const SessionQuery& q) {
  return run<Page<SessionWithBooking>>(
      "list sessions", [&](soci::session& sql) -> Result<Page<SessionWithBooking>> {
        std::string where = " FROM conference_sessions s JOIN bookings b ON b.id = s.booking_id WHERE 1 = 1";
        std::int64_t from = q.from ? to_epoch_ms(*q.from) : 0, to = q.to ? to_epoch_ms(*q.to) : 0;
        std::int64_t booking = q.booking ? q.booking->value() : 0,
                     session = q.session ? q.session->value() : 0;
        if (q.session) where += " AND s.id = :session";
        if (q.from) where += " AND s.opened_at >= :from";
        if (q.to) where += " AND s.opened_at < :to";
        if (!q.owner.empty()) where += " AND b.owner = :owner";
        if (q.booking) where += " AND s.booking_id = :booking";
        if (!q.number.empty()) where += " AND s.number = :number";
        if (q.closed_only) where += " AND s.closed_at IS NOT NULL";
        if (q.open_only) where += " AND s.closed_at IS NULL";
        if (q.cdr_pending)
          where += " AND s.closed_at IS NOT NULL AND s.cdr_exported_at IS NULL AND b.state <> 'active'";
        auto bind = [&](soci::statement& st) {
          if (q.session) st.exchange(soci::use(session, "session"));
          if (q.from) st.exchange(soci::use(from, "from"));
          if (q.to) st.exchange(soci::use(to, "to"));
          if (!q.owner.empty()) st.exchange(soci::use(q.owner, "owner"));
          if (q.booking) st.exchange(soci::use(booking, "booking"));
          if (!q.number.empty()) st.exchange(soci::use(q.number, "number"));
        };
        Page<SessionWithBooking> page;
        page.total = count_matching(sql, where, bind);
        std::vector<ConferenceSession> sessions;
        {
          ConferenceSession row;
          soci::statement st(sql);
          st.exchange(soci::into(row));
          bind(st);
          st.alloc();
          const std::string dir = q.descending ? " DESC" : " ASC";
          st.prepare(std::string("SELECT ") + kSessionColumns + where + " ORDER BY s.opened_at" + dir +
                     ", s.id" + dir + page_clause(q.limit, q.offset));
          st.define_and_bind();
          st.execute();
          while (st.fetch()) {
            sessions.push_back(row);
          }
        }
        if (sessions.empty()) return page;
        std::string ids;
        for (const auto& s : sessions) ids += (ids.empty() ? "" : ",") + std::to_string(s.booking.value());
        auto bookings = load_bookings(sql, "WHERE id IN (" + ids + ")", nullptr);
        const auto deleted = restore_deleted(sql, bookings);
        for (auto& s : sessions) {
          auto it = std::find_if(bookings.begin(), bookings.end(),
                                 [&](const auto& b) { return b.id == s.booking; });
          if (it == bookings.end()) continue;
          auto d = deleted.find(it->id.value());
          page.items.push_back(
              {std::move(s), *it, d == deleted.end() ? std::nullopt : std::optional<Deletion>(d->second)});
        }
        return page;
      });
}

Status SqlStore::mark_cdr_exported(const std::vector<SessionId>& sessions, TimePoint at) {
  if (sessions.empty()) return {};
  return run_status("mark cdr exported", [&](soci::session& sql) -> Status {
    std::string ids;
    for (const auto& s : sessions) ids += (ids.empty() ? "" : ",") + std::to_string(s.value());
    std::int64_t when = to_epoch_ms(at);
    sql << "UPDATE conference_sessions SET cdr_exported_at = :at WHERE id IN (" + ids + ")", soci::use(when, "at");
    return {};
  });
}

Result<ParticipantConnection> SqlStore::start_connection(const ParticipantConnection& c) {
  return run<
      ParticipantConnection>("start connection", [&](soci::session& sql) -> Result<ParticipantConnection> {
    std::int64_t id = 0, session = c.session.value(), booking = c.booking.value(),
                 joined = to_epoch_ms(c.joined_at);
    sql << "INSERT INTO participant_connections (session_id, booking_id, caller_number, caller_name, role, "
           "access_number, call_ref, joined_at, codec, remote_address, invitee) VALUES (:session, :booking, "
           ":caller_number, :caller_name, :role, :access_number, :call_ref, :joined, :codec, :remote, :invitee) "
           "RETURNING id",
        soci::use(session, "session"), soci::use(booking, "booking"),
        soci::use(c.caller_number, "caller_number"), soci::use(c.caller_name, "caller_name"),
        soci::use(c.role, "role"), soci::use(c.access_number, "access_number"),
        soci::use(c.call_ref, "call_ref"), soci::use(joined, "joined"), soci::use(c.codec, "codec"),
        soci::use(c.remote_address, "remote"), soci::use(c.invitee, "invitee"), soci::into(id);
    ParticipantConnection stored = c;
    stored.id = ConnectionId{id};
    stored.left_at.reset();
    return stored;
  });
}

Status SqlStore::end_connection(ConnectionId id, TimePoint left_at, const std::string& reason,
                                double loss_fraction, double jitter_ms, double rtt_ms) {
  return run_status("end connection", [&](soci::session& sql) -> Status {
    std::int64_t raw = id.value(), at = to_epoch_ms(left_at);
    soci::statement st =
        (sql.prepare << "UPDATE participant_connections SET left_at = :at, leave_reason = :reason, "
                        "loss_fraction = :loss, jitter_ms = :jitter, rtt_ms = :rtt WHERE id = :id AND "
                        "left_at IS NULL",
         soci::use(at, "at"), soci::use(reason, "reason"), soci::use(loss_fraction, "loss"),
         soci::use(jitter_ms, "jitter"), soci::use(rtt_ms, "rtt"), soci::use(raw, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 1) return {};
    int count = 0;
    sql << "SELECT COUNT(*) FROM participant_connections WHERE id = :id", soci::use(raw, "id"),
        soci::into(count);
    if (count == 0) return Error::not_found("no such connection");
    return Error::precondition("connection already ended");
  });
}

Result<std::vector<ParticipantConnection>> SqlStore::list_connections(SessionId session) {
  return run<std::vector<ParticipantConnection>>("list connections", [&](soci::session& sql) {
    std::vector<ParticipantConnection> out;
    ParticipantConnection c;
    std::int64_t raw = session.value();
    soci::statement st =
        (sql.prepare
             << "SELECT id, session_id, booking_id, caller_number, caller_name, role, access_number, "
                "call_ref, "
                "joined_at, left_at, leave_reason, codec, remote_address, loss_fraction, jitter_ms, rtt_ms, invitee "
                "FROM participant_connections WHERE session_id = :s ORDER BY joined_at, id",
         soci::use(raw, "s"), soci::into(c));
    st.execute();
    while (st.fetch()) out.push_back(c);
    return Result<std::vector<ParticipantConnection>>(std::move(out));
  });
}

Result<InterruptedCounts> SqlStore::close_interrupted(TimePoint now, const std::string& node) {
  return run<InterruptedCounts>("close interrupted", [&](soci::session& sql) -> Result<InterruptedCounts> {
    Tx tx(sql, dialect_);
    std::int64_t at = to_epoch_ms(now);
    const std::string node_filter = node.empty() ? "" : " AND node = :node";
    InterruptedCounts counts;
    {
      soci::statement st(sql);
      st.exchange(soci::use(at, "at"));
      if (!node.empty()) st.exchange(soci::use(node, "node"));
      st.alloc();
      st.prepare(
          "UPDATE participant_connections SET left_at = CASE WHEN joined_at > :at THEN joined_at ELSE :at END, "
          "leave_reason = 'interrupted' "
          "WHERE left_at IS NULL AND session_id IN (SELECT id FROM conference_sessions "
          "WHERE closed_at IS NULL" +
          node_filter + ")");
      st.define_and_bind();
      st.execute(true);
      counts.connections = static_cast<int>(st.get_affected_rows());
    }
    {
      soci::statement st(sql);
      st.exchange(soci::use(at, "at"));
      if (!node.empty()) st.exchange(soci::use(node, "node"));
      st.alloc();
      st.prepare(
          "UPDATE conference_sessions SET closed_at = CASE WHEN opened_at > :at THEN opened_at ELSE :at END, "
          "close_reason = 'interrupted' "
          "WHERE closed_at IS NULL" +
          node_filter);
      st.define_and_bind();
      st.execute(true);
      counts.sessions = static_cast<int>(st.get_affected_rows());
    }
    tx.commit();
    return counts;
  });
}

Status SqlStore::record_node_beat(const NodeBeat& beat) {
  return run_status("record node beat", [&](soci::session& sql) -> Status {
    std::int64_t at = to_epoch_ms(beat.at), conferences = beat.conferences, participants = beat.participants;
    sql << "INSERT INTO node_beats (node, at, conferences, participants) VALUES (:node, :at, :c, :p) "
           "ON CONFLICT (node) DO UPDATE SET at = excluded.at, conferences = excluded.conferences, "
           "participants = excluded.participants",
        soci::use(beat.node, "node"), soci::use(at, "at"), soci::use(conferences, "c"),
        soci::use(participants, "p");
    return {};
  });
}

Result<NodeBeat> SqlStore::node_beat(const std::string& node) {
  return run<NodeBeat>("node beat", [&](soci::session& sql) -> Result<NodeBeat> {
    NodeBeat b;
    std::int64_t at = 0;
    sql << "SELECT node, at, conferences, participants FROM node_beats WHERE node = :node", soci::use(node, "node"),
        soci::into(b.node), soci::into(at), soci::into(b.conferences), soci::into(b.participants);
    if (!sql.got_data()) return Error::not_found("node '" + node + "' never beat");
    b.at = from_epoch_ms(at);
    return b;
  });
}

Result<std::vector<NodeBeat>> SqlStore::list_node_beats() {
  return run<std::vector<NodeBeat>>("list node beats", [&](soci::session& sql) -> Result<std::vector<NodeBeat>> {
    std::vector<NodeBeat> out;
    NodeBeat b;
    std::int64_t at = 0;
    soci::statement st = (sql.prepare << "SELECT node, at, conferences, participants FROM node_beats ORDER BY node",
                          soci::into(b.node), soci::into(at), soci::into(b.conferences), soci::into(b.participants));
    st.execute();
    while (st.fetch()) {
      b.at = from_epoch_ms(at);
      out.push_back(b);
    }
    return out;
  });
}

Result<PurgeCounts> SqlStore::purge_history(TimePoint before, bool dry_run, const SideEffects& effects) {
  return run<PurgeCounts>("purge history", [&](soci::session& sql) -> Result<PurgeCounts> {
    Tx tx(sql, dialect_);
    std::int64_t cutoff = to_epoch_ms(before);
    // Over (ended or deleted, nothing open) and older than the cutoff, sessions included.
    const std::string over =
        "(b.state = 'ended' OR b.deleted_at IS NOT NULL) AND COALESCE(b.ended_at, b.deleted_at, "
        "b.valid_until) < "
        ":cutoff AND NOT EXISTS (SELECT 1 FROM conference_sessions s WHERE s.booking_id = b.id AND "
        "(s.closed_at "
        "IS NULL OR s.closed_at >= :cutoff))";
    const std::string ids = "SELECT b.id FROM bookings b WHERE " + over;
    PurgeCounts counts;
    sql << "SELECT COUNT(*) FROM bookings b WHERE " + over, soci::use(cutoff, "cutoff"),
        soci::into(counts.bookings);
    sql << "SELECT COUNT(*) FROM conference_sessions WHERE booking_id IN (" + ids + ")",
        soci::use(cutoff, "cutoff"), soci::into(counts.sessions);
    sql << "SELECT COUNT(*) FROM participant_connections WHERE booking_id IN (" + ids + ")",
        soci::use(cutoff, "cutoff"), soci::into(counts.connections);
    {
      std::string path;
      soci::statement st =
          (sql.prepare << "SELECT recording_path FROM conference_sessions WHERE recording_path <> '' "
                          "AND booking_id IN (" +
                              ids + ")",
           soci::use(cutoff, "cutoff"), soci::into(path));
      st.execute();
      while (st.fetch()) counts.recording_paths.push_back(path);
    }
    if (dry_run) return counts;  // the transaction rolls back: nothing written
    // Children first (the cascades would do it, but explicitly is the same on both back-ends and whatever the
    // foreign-key setting); outbox rows keep their text with booking NULL (ON DELETE SET NULL).
    sql << "DELETE FROM participant_connections WHERE booking_id IN (" + ids + ")",
        soci::use(cutoff, "cutoff");
    sql << "DELETE FROM conference_sessions WHERE booking_id IN (" + ids + ")", soci::use(cutoff, "cutoff");
    sql << "DELETE FROM booking_invitees WHERE booking_id IN (" + ids + ")", soci::use(cutoff, "cutoff");
    sql << "UPDATE outbox SET booking_id = NULL WHERE booking_id IN (" + ids + ")",
        soci::use(cutoff, "cutoff");
    sql << "DELETE FROM bookings WHERE id IN (SELECT id FROM (" + ids + ") purged)",
        soci::use(cutoff, "cutoff");
    write_effects(sql, dialect_, effects);
    tx.commit();
    return counts;
  });
}

}  // namespace confpro::store::detail
