// Audit log and notification outbox (sql_store.h).
#include <algorithm>

#include "domain/booking.h"

#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

struct OutboxRow {
  std::int64_t id = 0, booking = 0, next = 0, created = 0, report_at = 0;
  soci::indicator booking_ind = soci::i_null, report_at_ind = soci::i_null;
  std::string kind, recipient, subject, body, html, calendar, status, last_error, report_token, report_state,
      report_answer;
  int attempts = 0;
};

std::vector<OutboxMessage> load_outbox(soci::session& sql, const std::string& where,
                                       const std::function<void(soci::statement&)>& bind) {
  std::vector<OutboxMessage> out;
  OutboxRow r;
  soci::statement st(sql);
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.kind));
  st.exchange(soci::into(r.recipient));
  st.exchange(soci::into(r.subject));
  st.exchange(soci::into(r.body));
  st.exchange(soci::into(r.html));
  st.exchange(soci::into(r.calendar));
  st.exchange(soci::into(r.booking, r.booking_ind));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.attempts));
  st.exchange(soci::into(r.next));
  st.exchange(soci::into(r.last_error));
  st.exchange(soci::into(r.created));
  st.exchange(soci::into(r.report_token));
  st.exchange(soci::into(r.report_state));
  st.exchange(soci::into(r.report_at, r.report_at_ind));
  st.exchange(soci::into(r.report_answer));
  bind(st);
  st.alloc();
  st.prepare(
      "SELECT id, kind, recipient, subject, body, html, calendar, booking_id, status, attempts, next_attempt_at, "
      "last_error, created_at, report_token, report_state, report_at, report_answer FROM outbox " +
      where);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) {
    OutboxMessage m;
    m.id = r.id;
    m.kind = r.kind;
    m.recipient = r.recipient;
    m.subject = r.subject;
    m.body = r.body;
    m.html = r.html;
    m.calendar = r.calendar;
    if (r.booking_ind == soci::i_ok) m.booking = BookingId{r.booking};
    m.status = r.status;
    m.attempts = r.attempts;
    m.next_attempt_at = from_epoch_ms(r.next);
    m.last_error = r.last_error;
    m.created_at = from_epoch_ms(r.created);
    m.report_token = r.report_token;
    m.report_state = r.report_state;
    if (r.report_at_ind == soci::i_ok) m.report_at = from_epoch_ms(r.report_at);
    m.report_answer = r.report_answer;
    out.push_back(std::move(m));
    r.booking_ind = soci::i_null;
    r.report_at_ind = soci::i_null;
  }
  return out;
}

}  // namespace

Status SqlStore::append_audit(const AuditEntry& entry) {
  return run_status("append audit", [&](soci::session& sql) -> Status {
    SideEffects fx;
    fx.audit.push_back(entry);
    write_effects(sql, dialect_, fx);
    return {};
  });
}

Result<Page<AuditEntry>> SqlStore::list_audit(const AuditQuery& q) {
  return run<Page<AuditEntry>>("list audit", [&](soci::session& sql) -> Result<Page<AuditEntry>> {
    std::string where = " FROM audit_log WHERE 1 = 1";
    if (!q.actor.empty()) where += " AND actor = :actor";
    if (!q.target.empty()) where += " AND target = :target";
    auto bind = [&](soci::statement& st) {
      if (!q.actor.empty()) st.exchange(soci::use(q.actor, "actor"));
      if (!q.target.empty()) st.exchange(soci::use(q.target, "target"));
    };
    Page<AuditEntry> page;
    page.total = count_matching(sql, where, bind);
    AuditEntry e;
    std::int64_t at = 0;
    soci::statement st(sql);
    st.exchange(soci::into(e.id));
    st.exchange(soci::into(at));
    st.exchange(soci::into(e.actor));
    st.exchange(soci::into(e.action));
    st.exchange(soci::into(e.target));
    st.exchange(soci::into(e.details));
    st.exchange(soci::into(e.source));
    bind(st);
    st.alloc();
    st.prepare("SELECT id, at, actor, action, target, details, source" + where + " ORDER BY id DESC" + page_clause(q.limit, q.offset));
    st.define_and_bind();
    st.execute();
    while (st.fetch()) {
      e.at = from_epoch_ms(at);
      page.items.push_back(e);
    }
    return page;
  });
}

Result<OutboxMessage> SqlStore::enqueue(const OutboxMessage& message) {
  return run<OutboxMessage>("enqueue", [&](soci::session& sql) -> Result<OutboxMessage> {
    OutboxMessage stored = message;
    if (stored.kind == "sms" && stored.report_token.empty()) stored.report_token = new_report_token();
    stored.id = insert_outbox(sql, stored);
    return stored;
  });
}

Result<std::vector<OutboxMessage>> SqlStore::due_messages(TimePoint now, int limit) {
  return run<std::vector<OutboxMessage>>("due messages", [&](soci::session& sql) {
    std::int64_t at = to_epoch_ms(now);
    return Result<std::vector<OutboxMessage>>(load_outbox(
        sql,
        "WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT " +
            std::to_string(std::clamp(limit, 1, 1000)),
        [&](soci::statement& st) { st.exchange(soci::use(at, "now")); }));
  });
}

Result<std::vector<OutboxMessage>> SqlStore::due_messages_for(const std::string& kind, TimePoint now,
                                                              int limit) {
  return run<std::vector<OutboxMessage>>("due messages", [&](soci::session& sql) {
    std::int64_t at = to_epoch_ms(now);
    return Result<std::vector<OutboxMessage>>(load_outbox(
        sql,
        "WHERE status = 'pending' AND next_attempt_at <= :now AND kind = :kind ORDER BY next_attempt_at, id "
        "LIMIT " +
            std::to_string(std::clamp(limit, 1, 1000)),
        [&](soci::statement& st) {
          st.exchange(soci::use(at, "now"));
          st.exchange(soci::use(kind, "kind"));
        }));
  });
}

Result<bool> SqlStore::claim_message(std::int64_t id, TimePoint seen, TimePoint lease_until) {
  return run<bool>("claim message", [&](soci::session& sql) -> Result<bool> {
    std::int64_t was = to_epoch_ms(seen), until = to_epoch_ms(lease_until);
    soci::statement st = (sql.prepare << "UPDATE outbox SET next_attempt_at = :until WHERE id = :id AND "
                                         "status = 'pending' AND next_attempt_at = :was",
                          soci::use(until, "until"), soci::use(id, "id"), soci::use(was, "was"));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

Status SqlStore::mark_sent(std::int64_t id, TimePoint at) {
  return run_status("mark sent", [&](soci::session& sql) -> Status {
    std::int64_t when = to_epoch_ms(at);
    soci::statement st = (sql.prepare << "UPDATE outbox SET status = 'sent', attempts = attempts + 1, "
                                         "next_attempt_at = :at, last_error = '' WHERE id = :id",
                          soci::use(when, "at"), soci::use(id, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such message");
    return {};
  });
}

Status SqlStore::mark_failed(std::int64_t id, const std::string& error, TimePoint next_attempt_at,
                             bool give_up) {
  return run_status("mark failed", [&](soci::session& sql) -> Status {
    std::int64_t next = to_epoch_ms(next_attempt_at);
    std::string status = give_up ? "failed" : "pending";
    soci::statement st = (sql.prepare << "UPDATE outbox SET status = :status, attempts = attempts + 1, "
                                         "next_attempt_at = :next, last_error = :error WHERE id = :id",
                          soci::use(status, "status"), soci::use(next, "next"), soci::use(error, "error"),
                          soci::use(id, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such message");
    return {};
  });
}

Result<std::vector<OutboxMessage>> SqlStore::list_outbox(const std::string& status, int limit) {
  return run<std::vector<OutboxMessage>>("list outbox", [&](soci::session& sql) {
    const std::string order = " ORDER BY id LIMIT " + std::to_string(std::clamp(limit, 1, 10000));
    return Result<std::vector<OutboxMessage>>(
        load_outbox(sql, status.empty() ? order : "WHERE status = :status" + order, [&](soci::statement& st) {
          if (!status.empty()) st.exchange(soci::use(status, "status"));
        }));
  });
}

Result<std::int64_t> SqlStore::count_pending_outbox() {
  return run<std::int64_t>("count pending outbox", [&](soci::session& sql) {
    return Result<std::int64_t>(
        count_matching(sql, "FROM outbox WHERE status = 'pending'", [](soci::statement&) {}));
  });
}

Result<std::vector<OutboxMessage>> SqlStore::find_outbox(const OutboxQuery& q) {
  return run<std::vector<OutboxMessage>>("find outbox", [&](soci::session& sql) {
    const std::int64_t booking = q.booking.value();
    std::string where = "WHERE 1 = 1";
    if (!q.status.empty()) where += " AND status = :status";
    if (booking != 0) where += " AND booking_id = :booking";
    if (!q.owner.empty()) where += " AND booking_id IN (SELECT id FROM bookings WHERE owner = :owner)";
    where += " ORDER BY id DESC LIMIT " + std::to_string(std::clamp(q.limit, 1, 1000));
    return Result<std::vector<OutboxMessage>>(load_outbox(sql, where, [&](soci::statement& st) {
      if (!q.status.empty()) st.exchange(soci::use(q.status, "status"));
      if (booking != 0) st.exchange(soci::use(booking, "booking"));
      if (!q.owner.empty()) st.exchange(soci::use(q.owner, "owner"));
    }));
  });
}

Result<OutboxMessage> SqlStore::requeue_message(std::int64_t id, TimePoint now) {
  return run<OutboxMessage>("requeue message", [&](soci::session& sql) -> Result<OutboxMessage> {
    std::int64_t at = to_epoch_ms(now);
    soci::statement st = (sql.prepare << "UPDATE outbox SET status = 'pending', next_attempt_at = :at WHERE id = "
                                         ":id AND status IN ('failed', 'sent')",
                          soci::use(at, "at"), soci::use(id, "id"));
    st.execute(true);
    const bool changed = st.get_affected_rows() == 1;
    outbox_rows_written = changed;
    auto rows = load_outbox(sql, "WHERE id = :id", [&](soci::statement& s) { s.exchange(soci::use(id, "id")); });
    if (rows.empty()) return Error::not_found("no such message");
    if (!changed) return Error::precondition("this message is still pending: it will be sent or retried")
        .with_reason("notification_pending");
    return rows.front();
  });
}

namespace {

// How final a report state is: a report is kept only over an equal or less final one.
int report_rank(std::string_view state) {
  return state == "buffered" ? 1 : state == "accepted" ? 2 : state == "delivered" ? 3 : state == "failed" ? 4 : 0;
}

bool same_token(const std::string& a, const std::string& b) {  // constant time for equal lengths
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Status SqlStore::record_delivery_report(std::int64_t id, const std::string& token, const DeliveryReport& report) {
  return run_status("record delivery report", [&](soci::session& sql) -> Status {
    Tx tx(sql, dialect_);
    std::string stored_token, stored_state;
    soci::indicator ind = soci::i_null;
    sql << "SELECT report_token, report_state FROM outbox WHERE id = :id", soci::use(id, "id"),
        soci::into(stored_token, ind), soci::into(stored_state);
    if (!sql.got_data() || ind != soci::i_ok || !same_token(stored_token, token)) return Error::not_found("no such message");
    if (report_rank(report.state) < report_rank(stored_state)) return {};  // a less final report, late
    std::int64_t at = to_epoch_ms(report.at);
    sql << "UPDATE outbox SET report_state = :state, report_at = :at, report_answer = :answer WHERE id = :id",
        soci::use(report.state, "state"), soci::use(at, "at"), soci::use(report.answer, "answer"),
        soci::use(id, "id");
    tx.commit();
    return {};
  });
}

Result<std::vector<domain::Booking>> SqlStore::bookings_to_remind(TimePoint from, TimePoint to, int limit) {
  return run<std::vector<domain::Booking>>("bookings to remind", [&](soci::session& sql) {
    std::int64_t lo = to_epoch_ms(from), hi = to_epoch_ms(to);
    return Result<std::vector<domain::Booking>>(load_bookings(
        sql,
        "WHERE state = 'scheduled' AND deleted_at IS NULL AND valid_from >= :lo AND valid_from < :hi AND NOT "
        "EXISTS (SELECT 1 FROM notify_marks k WHERE k.booking_id = bookings.id AND k.what = 'reminder' AND "
        "k.at = bookings.valid_from) ORDER BY valid_from, id LIMIT " +
            std::to_string(std::clamp(limit, 1, 10000)),
        [&](soci::statement& st) {
          st.exchange(soci::use(lo, "lo"));
          st.exchange(soci::use(hi, "hi"));
        }));
  });
}

Result<std::vector<domain::Booking>> SqlStore::lapsed_unused(TimePoint from, TimePoint to, int limit) {
  return run<std::vector<domain::Booking>>("unused bookings", [&](soci::session& sql) {
    std::int64_t lo = to_epoch_ms(from), hi = to_epoch_ms(to);
    const std::string reason = domain::to_string(domain::EndReason::kExpiredUnused);
    return Result<std::vector<domain::Booking>>(load_bookings(
        sql,
        "WHERE state = 'ended' AND end_reason = :reason AND deleted_at IS NULL AND ended_at >= :lo AND "
        "ended_at < :hi AND NOT EXISTS (SELECT 1 FROM notify_marks k WHERE k.booking_id = bookings.id AND "
        "k.what = 'unused') ORDER BY ended_at, id LIMIT " +
            std::to_string(std::clamp(limit, 1, 10000)),
        [&](soci::statement& st) {
          st.exchange(soci::use(reason, "reason"));
          st.exchange(soci::use(lo, "lo"));
          st.exchange(soci::use(hi, "hi"));
        }));
  });
}

Result<bool> SqlStore::enqueue_once(BookingId booking, const std::string& what, TimePoint at,
                                    const std::vector<OutboxMessage>& rows) {
  return run<bool>("enqueue once", [&](soci::session& sql) -> Result<bool> {
    Tx tx(sql, dialect_);
    if (!write_once(sql, booking, what, at, rows)) return false;  // written already, here or on another node
    tx.commit();
    return true;
  });
}

bool write_once(soci::session& sql, BookingId booking, const std::string& what, TimePoint at,
                const std::vector<OutboxMessage>& rows) {
  std::int64_t id = booking.value(), when = to_epoch_ms(at);
  std::int64_t created = rows.empty() ? when : to_epoch_ms(rows.front().created_at);
  soci::statement st = (sql.prepare << "INSERT INTO notify_marks (booking_id, what, at, created_at) VALUES "
                                       "(:id, :what, :at, :created) ON CONFLICT DO NOTHING",
                        soci::use(id, "id"), soci::use(what, "what"), soci::use(when, "at"),
                        soci::use(created, "created"));
  st.execute(true);
  if (st.get_affected_rows() != 1) return false;
  for (const auto& m : rows) insert_outbox(sql, m);
  return true;
}

}  // namespace confpro::store::detail
