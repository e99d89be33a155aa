// Audit log and notification outbox (sql_store.h).
#include <algorithm>

#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

struct OutboxRow {
  std::int64_t id = 0, booking = 0, next = 0, created = 0;
  soci::indicator booking_ind = soci::i_null;
  std::string kind, recipient, subject, body, calendar, status, last_error;
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
  st.exchange(soci::into(r.calendar));
  st.exchange(soci::into(r.booking, r.booking_ind));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.attempts));
  st.exchange(soci::into(r.next));
  st.exchange(soci::into(r.last_error));
  st.exchange(soci::into(r.created));
  bind(st);
  st.alloc();
  st.prepare(
      "SELECT id, kind, recipient, subject, body, calendar, booking_id, status, attempts, next_attempt_at, "
      "last_error, "
      "created_at FROM outbox " +
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
    m.calendar = r.calendar;
    if (r.booking_ind == soci::i_ok) m.booking = BookingId{r.booking};
    m.status = r.status;
    m.attempts = r.attempts;
    m.next_attempt_at = from_epoch_ms(r.next);
    m.last_error = r.last_error;
    m.created_at = from_epoch_ms(r.created);
    out.push_back(std::move(m));
    r.booking_ind = soci::i_null;
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
    stored.id = insert_outbox(sql, message);
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
    auto rows = load_outbox(sql, "WHERE id = :id", [&](soci::statement& s) { s.exchange(soci::use(id, "id")); });
    if (rows.empty()) return Error::not_found("no such message");
    if (!changed) return Error::precondition("this message is still pending: it will be sent or retried")
        .with_reason("notification_pending");
    return rows.front();
  });
}

}  // namespace confpro::store::detail
