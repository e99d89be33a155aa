// Booking rows <-> domain::Booking, invitees, side effects (sql_store.h).
#include <map>
#include <random>

#include "store/sql_store.h"
#include "store/text_fold.h"

namespace confpro::store::detail {

namespace {

struct BookingRow {
  std::int64_t id = 0;
  std::string name, owner, number, user_pin, moderator_pin;
  std::int64_t created_at = 0, valid_from = 0, valid_until = 0;
  int duration_minutes = 0, validity_days = 0, max_participants = 0;
  std::string language;
  int announce_moderator = 0, record = 0, announce_users = 0, listen_only = 0, wait_for_leader = 0;
  std::string join_policy, created_via, access_number, category, state, end_reason;
  std::int64_t opened_at = 0, ended_at = 0;
  soci::indicator opened_ind = soci::i_null, ended_ind = soci::i_null;
  std::int64_t updated_at = 0;
  int version = 0;
  std::string name_folded;  // written only: fold_for_search(name), what name search matches (migration v3)
};

const char* const kColumns =
    "id, name, owner, number, user_pin, moderator_pin, created_at, valid_from, valid_until, "
    "duration_minutes, "
    "validity_days, max_participants, language, announce_moderator, record_conference, announce_users, "
    "listen_only, wait_for_leader, join_policy, created_via, access_number, category, state, end_reason, opened_at, "
    "ended_at, updated_at, version";

void bind_into(soci::statement& st, BookingRow& r) {
  using soci::into;
  st.exchange(into(r.id));
  st.exchange(into(r.name));
  st.exchange(into(r.owner));
  st.exchange(into(r.number));
  st.exchange(into(r.user_pin));
  st.exchange(into(r.moderator_pin));
  st.exchange(into(r.created_at));
  st.exchange(into(r.valid_from));
  st.exchange(into(r.valid_until));
  st.exchange(into(r.duration_minutes));
  st.exchange(into(r.validity_days));
  st.exchange(into(r.max_participants));
  st.exchange(into(r.language));
  st.exchange(into(r.announce_moderator));
  st.exchange(into(r.record));
  st.exchange(into(r.announce_users));
  st.exchange(into(r.listen_only));
  st.exchange(into(r.wait_for_leader));
  st.exchange(into(r.join_policy));
  st.exchange(into(r.created_via));
  st.exchange(into(r.access_number));
  st.exchange(into(r.category));
  st.exchange(into(r.state));
  st.exchange(into(r.end_reason));
  st.exchange(into(r.opened_at, r.opened_ind));
  st.exchange(into(r.ended_at, r.ended_ind));
  st.exchange(into(r.updated_at));
  st.exchange(into(r.version));
}

// Binds every column except id and version as :name placeholders.
void bind_use(soci::statement& st, BookingRow& r) {
  using soci::use;
  st.exchange(use(r.name, "name"));
  st.exchange(use(r.name_folded, "name_folded"));
  st.exchange(use(r.owner, "owner"));
  st.exchange(use(r.number, "number"));
  st.exchange(use(r.user_pin, "user_pin"));
  st.exchange(use(r.moderator_pin, "moderator_pin"));
  st.exchange(use(r.created_at, "created_at"));
  st.exchange(use(r.valid_from, "valid_from"));
  st.exchange(use(r.valid_until, "valid_until"));
  st.exchange(use(r.duration_minutes, "duration_minutes"));
  st.exchange(use(r.validity_days, "validity_days"));
  st.exchange(use(r.max_participants, "max_participants"));
  st.exchange(use(r.language, "language"));
  st.exchange(use(r.announce_moderator, "announce_moderator"));
  st.exchange(use(r.record, "record_conference"));
  st.exchange(use(r.announce_users, "announce_users"));
  st.exchange(use(r.listen_only, "listen_only"));
  st.exchange(use(r.wait_for_leader, "wait_for_leader"));
  st.exchange(use(r.join_policy, "join_policy"));
  st.exchange(use(r.created_via, "created_via"));
  st.exchange(use(r.access_number, "access_number"));
  st.exchange(use(r.category, "category"));
  st.exchange(use(r.state, "state"));
  st.exchange(use(r.end_reason, "end_reason"));
  st.exchange(use(r.opened_at, r.opened_ind, "opened_at"));
  st.exchange(use(r.ended_at, r.ended_ind, "ended_at"));
  st.exchange(use(r.updated_at, "updated_at"));
}

BookingRow to_row(const domain::Booking& b) {
  BookingRow r;
  r.id = b.id.value();
  r.name = b.name;
  r.name_folded = fold_for_search(b.name);
  r.owner = b.owner;
  r.number = b.number;
  r.user_pin = b.user_pin;
  r.moderator_pin = b.moderator_pin;
  r.created_at = to_epoch_ms(b.created_at);
  r.valid_from = to_epoch_ms(b.valid_from);
  r.valid_until = to_epoch_ms(b.valid_until());
  r.duration_minutes = b.duration_minutes;
  r.validity_days = b.validity_days;
  r.max_participants = b.max_participants;
  r.language = domain::to_string(b.language);
  r.announce_moderator = b.options.announce_moderator;
  r.record = b.options.record;
  r.announce_users = b.options.announce_users;
  r.listen_only = b.options.listen_only;
  r.wait_for_leader = b.options.wait_for_leader;
  r.join_policy = domain::to_string(b.join_policy);
  r.created_via = b.created_via;
  r.access_number = b.access_number;
  r.category = b.category;
  r.state = domain::to_string(b.state);
  r.end_reason = domain::to_string(b.end_reason);
  r.opened_ind = b.opened_at ? soci::i_ok : soci::i_null;
  r.opened_at = b.opened_at ? to_epoch_ms(*b.opened_at) : 0;
  r.ended_ind = b.ended_at ? soci::i_ok : soci::i_null;
  r.ended_at = b.ended_at ? to_epoch_ms(*b.ended_at) : 0;
  r.updated_at = to_epoch_ms(b.updated_at);
  r.version = b.version;
  return r;
}

domain::Booking from_row(const BookingRow& r) {
  domain::Booking b;
  b.id = BookingId{r.id};
  b.name = r.name;
  b.owner = r.owner;
  b.number = r.number;
  b.user_pin = r.user_pin;
  b.moderator_pin = r.moderator_pin;
  b.created_at = from_epoch_ms(r.created_at);
  b.valid_from = from_epoch_ms(r.valid_from);
  b.duration_minutes = r.duration_minutes;
  b.validity_days = r.validity_days;
  b.max_participants = r.max_participants;
  b.language = domain::language_from_string(r.language).value_or(domain::Language::kFrench);
  b.options.announce_moderator = r.announce_moderator != 0;
  b.options.record = r.record != 0;
  b.options.announce_users = r.announce_users != 0;
  b.options.listen_only = r.listen_only != 0;
  b.options.wait_for_leader = r.wait_for_leader != 0;
  b.join_policy = domain::join_policy_from_string(r.join_policy).value_or(domain::JoinPolicy::kAnyoneWithPin);
  b.created_via = r.created_via;
  b.access_number = r.access_number;
  b.category = r.category;
  b.state = domain::booking_state_from_string(r.state).value_or(domain::BookingState::kScheduled);
  b.end_reason = domain::end_reason_from_string(r.end_reason).value_or(domain::EndReason::kNone);
  if (r.opened_ind == soci::i_ok) b.opened_at = from_epoch_ms(r.opened_at);
  if (r.ended_ind == soci::i_ok) b.ended_at = from_epoch_ms(r.ended_at);
  b.updated_at = from_epoch_ms(r.updated_at);
  b.version = r.version;
  return b;
}

void load_invitees(soci::session& sql, std::vector<domain::Booking>& bookings) {
  if (bookings.empty()) return;
  std::string ids;
  std::map<std::int64_t, domain::Booking*> by_id;
  for (auto& b : bookings) {
    if (!ids.empty()) ids += ",";
    ids += std::to_string(b.id.value());  // integers from our own rows: safe to inline
    by_id[b.id.value()] = &b;
  }
  std::int64_t booking_id = 0;
  domain::Invitee inv;
  soci::statement st =
      (sql.prepare << "SELECT booking_id, email, phone, personal_pin FROM booking_invitees "
                      "WHERE booking_id IN (" +
                          ids + ") ORDER BY booking_id, seq",
       soci::into(booking_id), soci::into(inv.email), soci::into(inv.phone), soci::into(inv.personal_pin));
  st.execute();
  while (st.fetch()) by_id[booking_id]->invitees.push_back(inv);
}

}  // namespace

std::vector<domain::Booking> load_bookings(soci::session& sql, const std::string& where_sql,
                                           const std::function<void(soci::statement&)>& bind) {
  std::vector<domain::Booking> out;
  BookingRow row;
  soci::statement st(sql);
  bind_into(st, row);
  if (bind) bind(st);
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM bookings " + where_sql);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) out.push_back(from_row(row));
  load_invitees(sql, out);
  return out;
}

Result<domain::Booking> load_booking(soci::session& sql, const std::string& where_sql, std::int64_t id,
                                     const std::string& text) {
  auto rows = load_bookings(sql, where_sql, [&](soci::statement& st) {
    if (where_sql.find(":id") != std::string::npos) st.exchange(soci::use(id, "id"));
    if (where_sql.find(":text") != std::string::npos) st.exchange(soci::use(text, "text"));
  });
  if (rows.empty()) return Error::not_found("no such booking");
  return std::move(rows.front());
}

void write_invitees(soci::session& sql, std::int64_t booking_id,
                    const std::vector<domain::Invitee>& invitees) {
  sql << "DELETE FROM booking_invitees WHERE booking_id = :id", soci::use(booking_id, "id");
  for (size_t i = 0; i < invitees.size(); ++i) {
    int seq = static_cast<int>(i);
    sql << "INSERT INTO booking_invitees (booking_id, seq, email, phone, personal_pin) "
           "VALUES (:b, :s, :e, :p, :pin)",
        soci::use(booking_id, "b"), soci::use(seq, "s"), soci::use(invitees[i].email, "e"),
        soci::use(invitees[i].phone, "p"), soci::use(invitees[i].personal_pin, "pin");
  }
}

std::string new_report_token() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;  // the kernel's getrandom: unguessable
  std::string token;
  for (int i = 0; i < 8; ++i) {
    const auto word = device();
    for (int k = 0; k < 4; ++k) {
      const auto byte = (word >> (8 * k)) & 0xFF;
      token += kHex[byte >> 4];
      token += kHex[byte & 0xF];
    }
  }
  return token;  // 32 bytes, 64 hex digits
}

thread_local bool outbox_rows_written = false;

std::int64_t insert_outbox(soci::session& sql, const OutboxMessage& m) {
  std::int64_t id = 0;
  std::int64_t booking = m.booking.value();
  soci::indicator booking_ind = m.booking.valid() ? soci::i_ok : soci::i_null;
  std::int64_t next = to_epoch_ms(m.next_attempt_at), created = to_epoch_ms(m.created_at);
  const std::string token = !m.report_token.empty() ? m.report_token : m.kind == "sms" ? new_report_token() : "";
  sql << "INSERT INTO outbox (kind, recipient, subject, body, html, calendar, booking_id, status, attempts, "
         "next_attempt_at, last_error, created_at, report_token) VALUES (:kind, :recipient, :subject, :body, "
         ":html, :calendar, :booking, :status, :attempts, :next, :last_error, :created, :token) RETURNING id",
      soci::use(m.kind, "kind"), soci::use(m.recipient, "recipient"), soci::use(m.subject, "subject"),
      soci::use(m.body, "body"), soci::use(m.html, "html"), soci::use(m.calendar, "calendar"),
      soci::use(booking, booking_ind, "booking"), soci::use(m.status, "status"),
      soci::use(m.attempts, "attempts"), soci::use(next, "next"), soci::use(m.last_error, "last_error"),
      soci::use(created, "created"), soci::use(token, "token"), soci::into(id);
  outbox_rows_written = true;
  return id;
}

void write_effects(soci::session& sql, Dialect /*dialect*/, const SideEffects& effects) {
  for (const auto& a : effects.audit) {
    std::int64_t at = to_epoch_ms(a.at);
    sql << "INSERT INTO audit_log (at, actor, action, target, details, source) "
           "VALUES (:at, :actor, :action, :target, :details, :source)",
        soci::use(at, "at"), soci::use(a.actor, "actor"), soci::use(a.action, "action"),
        soci::use(a.target, "target"), soci::use(a.details, "details"), soci::use(a.source, "source");
  }
  for (const auto& m : effects.outbox) insert_outbox(sql, m);
  for (const auto& o : effects.once) write_once(sql, o.booking, o.what, o.at, o.rows);
}

// Insert and update live here because they share the row binding.
Result<domain::Booking> SqlStore::insert_booking(const domain::Booking& booking, const SideEffects& effects) {
  return run<domain::Booking>("insert booking", [&](soci::session& sql) -> Result<domain::Booking> {
    Tx tx(sql, dialect_);
    BookingRow row = to_row(booking);
    row.version = 1;
    std::int64_t id = 0;
    {
      soci::statement st(sql);
      bind_use(st, row);
      st.exchange(soci::use(row.version, "version"));
      st.exchange(soci::into(id));
      st.alloc();
      st.prepare(
          "INSERT INTO bookings (name, name_folded, owner, number, user_pin, moderator_pin, created_at, valid_from, "
          "valid_until, "
          "duration_minutes, validity_days, max_participants, language, announce_moderator, "
          "record_conference, "
          "announce_users, listen_only, wait_for_leader, join_policy, created_via, access_number, category, state, "
          "end_reason, opened_at, ended_at, updated_at, version) VALUES (:name, :name_folded, :owner, :number, :user_pin, "
          ":moderator_pin, :created_at, :valid_from, :valid_until, :duration_minutes, :validity_days, "
          ":max_participants, :language, :announce_moderator, :record_conference, :announce_users, "
          ":listen_only, "
          ":wait_for_leader, :join_policy, :created_via, :access_number, :category, :state, :end_reason, :opened_at, "
          ":ended_at, :updated_at, :version) RETURNING id");
      st.define_and_bind();
      st.execute(true);
    }
    write_invitees(sql, id, booking.invitees);
    SideEffects fx = effects;
    for (auto& a : fx.audit) {
      if (a.target.empty()) a.target = "booking:" + std::to_string(id);
    }
    for (auto& m : fx.outbox) m.booking = BookingId{id};
    write_effects(sql, dialect_, fx);
    if (auto st = write_ledger(sql, dialect_, fx.ledger, id); !st.ok()) return st.error();
    auto stored = load_booking(sql, "WHERE id = :id", id, "");
    tx.commit();
    return stored;
  });
}

Result<domain::Booking> SqlStore::update_booking(const domain::Booking& booking, int expected_version,
                                                 const SideEffects& effects) {
  return run<domain::Booking>("update booking", [&](soci::session& sql) -> Result<domain::Booking> {
    Tx tx(sql, dialect_);
    BookingRow row = to_row(booking);
    std::int64_t id = booking.id.value();
    long long affected = 0;
    {
      soci::statement st(sql);
      bind_use(st, row);
      st.exchange(soci::use(id, "id"));
      st.exchange(soci::use(expected_version, "expected"));
      st.alloc();
      st.prepare(
          "UPDATE bookings SET name = :name, name_folded = :name_folded, owner = :owner, number = :number, "
          "user_pin = :user_pin, "
          "moderator_pin = :moderator_pin, created_at = :created_at, valid_from = :valid_from, "
          "valid_until = :valid_until, duration_minutes = :duration_minutes, validity_days = :validity_days, "
          "max_participants = :max_participants, language = :language, announce_moderator = "
          ":announce_moderator, "
          "record_conference = :record_conference, announce_users = :announce_users, listen_only = "
          ":listen_only, "
          "wait_for_leader = :wait_for_leader, join_policy = :join_policy, created_via = :created_via, "
          "access_number = :access_number, category = :category, state = :state, end_reason = :end_reason, opened_at = :opened_at, "
          "ended_at = :ended_at, updated_at = :updated_at, version = version + 1 "
          "WHERE id = :id AND version = :expected AND deleted_at IS NULL");
      st.define_and_bind();
      st.execute(true);
      affected = st.get_affected_rows();
    }
    if (affected == 0) {
      int count = 0;
      sql << "SELECT COUNT(*) FROM bookings WHERE id = :id", soci::use(id, "id"), soci::into(count);
      if (count == 0) return Error::not_found("no such booking");
      int deleted = 0;
      sql << "SELECT COUNT(*) FROM bookings WHERE id = :id AND deleted_at IS NOT NULL", soci::use(id, "id"),
          soci::into(deleted);
      if (deleted > 0) return Error::not_found("the booking was deleted");
      return Error::precondition("the booking was changed by someone else (stale version " +
                                 std::to_string(expected_version) + "); reload and retry");
    }
    write_invitees(sql, id, booking.invitees);
    // A reminder is marked per start (notify/reminders.h): the marks of other starts go, so a booking moved back
    // to a start it was already reminded of is reminded again.
    std::int64_t start = to_epoch_ms(booking.valid_from);
    sql << "DELETE FROM notify_marks WHERE booking_id = :id AND what = 'reminder' AND at <> :start",
        soci::use(id, "id"), soci::use(start, "start");
    write_effects(sql, dialect_, effects);
    if (auto st = write_ledger(sql, dialect_, effects.ledger, id); !st.ok()) return st.error();
    auto stored = load_booking(sql, "WHERE id = :id", id, "");
    tx.commit();
    return stored;
  });
}

}  // namespace confpro::store::detail
