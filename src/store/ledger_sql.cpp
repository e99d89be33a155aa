// Billing accounts and their ledger (sql_store.h, issue 16). The balance and the held amount are sums over the
// append-only ledger, never stored totals: a line is never updated or deleted.
#include <map>

#include "domain/money.h"
#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

const char* const kAccountColumns =
    "a.id, a.name, a.owner, a.prepaid, a.credit_limit, a.currency, a.created_at, a.members";

// BillingAccount::members as stored: one per line (an entry never holds a control character).
std::string join_members(const std::vector<std::string>& members) {
  std::string out;
  for (const auto& m : members) out += (out.empty() ? "" : "\n") + m;
  return out;
}
std::vector<std::string> split_members(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The account named `name`, locked for the rest of the transaction on PostgreSQL (FOR UPDATE: two bookings
// racing for the last credit of one account are served one after the other); SQLite's BEGIN IMMEDIATE
// already serializes writers. nullopt when there is no such account.
std::optional<std::int64_t> lock_account(soci::session& sql, Dialect dialect, const std::string& name) {
  std::int64_t id = 0;
  soci::indicator ind = soci::i_null;
  sql << std::string("SELECT id FROM billing_accounts WHERE name = :name") +
             (dialect == Dialect::kPostgres ? " FOR UPDATE" : ""),
      soci::use(name, "name"), soci::into(id, ind);
  if (!sql.got_data() || ind != soci::i_ok) return std::nullopt;
  return id;
}

std::vector<AccountBalance> load_accounts(soci::session& sql, const std::string& where, const std::string* name) {
  std::vector<AccountBalance> out;
  AccountBalance row;
  std::int64_t prepaid = 1, created = 0;
  std::int64_t balance = 0, held = 0;
  std::string members;
  soci::statement st(sql);
  st.exchange(soci::into(row.account.id));
  st.exchange(soci::into(row.account.name));
  st.exchange(soci::into(row.account.owner));
  st.exchange(soci::into(prepaid));
  st.exchange(soci::into(row.account.credit_limit));
  st.exchange(soci::into(row.account.currency));
  st.exchange(soci::into(created));
  st.exchange(soci::into(members));
  st.exchange(soci::into(balance));
  st.exchange(soci::into(held));
  if (name) st.exchange(soci::use(*name, "name"));
  st.alloc();
  st.prepare(std::string("SELECT ") + kAccountColumns +
             ", COALESCE(SUM(l.amount), 0), COALESCE(SUM(l.hold), 0) FROM billing_accounts a LEFT JOIN ledger l "
             "ON l.account_id = a.id " +
             where + " GROUP BY " + kAccountColumns + " ORDER BY a.name");
  st.define_and_bind();
  st.execute();
  while (st.fetch()) {
    row.account.prepaid = prepaid != 0;
    row.account.created_at = from_epoch_ms(created);
    row.account.members = split_members(members);
    row.balance = balance;
    row.held = held;
    out.push_back(row);
  }
  return out;
}

std::int64_t insert_line(soci::session& sql, std::int64_t account_id, const LedgerEntry& e,
                         std::int64_t booking_id) {
  std::int64_t id = 0, at = to_epoch_ms(e.at);
  soci::indicator booking_ind = booking_id > 0 ? soci::i_ok : soci::i_null;
  sql << "INSERT INTO ledger (account_id, at, kind, amount, hold, booking_id, actor, note) VALUES (:account, "
         ":at, :kind, :amount, :hold, :booking, :actor, :note) RETURNING id",
      soci::use(account_id, "account"), soci::use(at, "at"), soci::use(e.kind, "kind"),
      soci::use(e.amount, "amount"), soci::use(e.hold, "hold"), soci::use(booking_id, booking_ind, "booking"),
      soci::use(e.actor, "actor"), soci::use(e.note, "note"), soci::into(id);
  return id;
}

// What is still held for `booking_id`, per account: (account id, account name, hold), holds of 0 left out.
struct OpenHold {
  std::int64_t account_id = 0;
  std::string account;
  std::int64_t hold = 0;
};
std::vector<OpenHold> open_holds(soci::session& sql, std::int64_t booking_id) {
  std::vector<OpenHold> out;
  OpenHold row;
  soci::statement st = (sql.prepare << "SELECT a.id, a.name, SUM(l.hold) FROM ledger l JOIN billing_accounts a ON "
                                       "a.id = l.account_id WHERE l.booking_id = :b GROUP BY a.id, a.name",
                        soci::use(booking_id, "b"), soci::into(row.account_id), soci::into(row.account),
                        soci::into(row.hold));
  st.execute();
  while (st.fetch())
    if (row.hold != 0) out.push_back(row);
  return out;
}

}  // namespace

Status write_ledger(soci::session& sql, Dialect dialect, const std::vector<LedgerEntry>& entries,
                    std::int64_t booking_id) {
  for (const auto& e : entries) {
    auto account = lock_account(sql, dialect, e.account);
    if (!account) return Error::not_found("no billing account named '" + e.account + "'");
    if (e.hold > 0) {
      auto rows = load_accounts(sql, "WHERE a.id = " + std::to_string(*account), nullptr);
      const std::int64_t available = rows.empty() ? 0 : rows.front().available();
      if (available < e.hold) {
        const std::int64_t have = std::max<std::int64_t>(available, 0);
        const std::string needed = domain::format_amount(e.hold), left = domain::format_amount(have),
                          missing = domain::format_amount(e.hold - have);
        return Error(ErrorCode::kResourceExhausted,
                     "insufficient credit on account '" + e.account + "': " + needed + " needed, " + left +
                         " available (" + missing + " missing)",
                     {}, "insufficient_credit",
                     ErrorParams{{"account", e.account}, {"needed", needed}, {"available", left}, {"missing", missing}});
      }
    }
    insert_line(sql, *account, e, booking_id > 0 ? booking_id : e.booking.value());
  }
  return {};
}

void release_holds(soci::session& sql, std::int64_t booking_id, TimePoint at, const std::string& actor,
                   const std::string& note) {
  for (const auto& open : open_holds(sql, booking_id)) {
    LedgerEntry e;
    e.at = at;
    e.kind = "release";
    e.hold = -open.hold;
    e.actor = actor;
    e.note = note;
    insert_line(sql, open.account_id, e, booking_id);
  }
}

Result<BillingAccount> SqlStore::insert_account(const BillingAccount& account, const LedgerEntry& opening) {
  return run<BillingAccount>("insert account", [&](soci::session& sql) -> Result<BillingAccount> {
    Tx tx(sql, dialect_);
    std::int64_t id = 0, prepaid = account.prepaid ? 1 : 0, created = to_epoch_ms(account.created_at);
    const std::string members = join_members(account.members);
    sql << "INSERT INTO billing_accounts (name, owner, prepaid, credit_limit, currency, created_at, members) VALUES "
           "(:name, :owner, :prepaid, :limit, :currency, :created, :members) RETURNING id",
        soci::use(account.name, "name"), soci::use(account.owner, "owner"), soci::use(prepaid, "prepaid"),
        soci::use(account.credit_limit, "limit"), soci::use(account.currency, "currency"),
        soci::use(created, "created"), soci::use(members, "members"), soci::into(id);
    if (opening.amount != 0) insert_line(sql, id, opening, 0);
    tx.commit();
    BillingAccount stored = account;
    stored.id = id;
    return stored;
  });
}

Result<AccountBalance> SqlStore::get_account(const std::string& name) {
  return run<AccountBalance>("get account", [&](soci::session& sql) -> Result<AccountBalance> {
    auto rows = load_accounts(sql, "WHERE a.name = :name", &name);
    if (rows.empty()) return Error::not_found("no billing account named '" + name + "'");
    return rows.front();
  });
}

Result<std::vector<AccountBalance>> SqlStore::list_accounts() {
  return run<std::vector<AccountBalance>>(
      "list accounts", [&](soci::session& sql) { return Result<std::vector<AccountBalance>>(load_accounts(sql, "", nullptr)); });
}

Status SqlStore::set_account_members(const std::string& name, const std::vector<std::string>& members,
                                     const AuditEntry& audit) {
  return run_status("set account members", [&](soci::session& sql) -> Status {
    Tx tx(sql, dialect_);
    auto account = lock_account(sql, dialect_, name);
    if (!account) return Error::not_found("no billing account named '" + name + "'");
    const std::string text = join_members(members);
    sql << "UPDATE billing_accounts SET members = :members WHERE id = :id", soci::use(text, "members"),
        soci::use(*account, "id");
    SideEffects fx;
    fx.audit.push_back(audit);
    write_effects(sql, dialect_, fx);
    tx.commit();
    return {};
  });
}

Result<LedgerEntry> SqlStore::append_ledger(const LedgerEntry& entry, const AuditEntry& audit) {
  return run<LedgerEntry>("append ledger", [&](soci::session& sql) -> Result<LedgerEntry> {
    Tx tx(sql, dialect_);
    auto account = lock_account(sql, dialect_, entry.account);
    if (!account) return Error::not_found("no billing account named '" + entry.account + "'");
    if (entry.amount < 0) {
      // A debit may not take what a prepaid account has not got (or a postpaid one past its limit): the
      // bookings' holds stay covered.
      auto rows = load_accounts(sql, "WHERE a.id = " + std::to_string(*account), nullptr);
      const std::int64_t available = rows.empty() ? 0 : rows.front().available();
      if (available + entry.amount < 0) {
        const std::string debit = domain::format_amount(-entry.amount),
                          left = domain::format_amount(std::max<std::int64_t>(available, 0));
        return Error(ErrorCode::kResourceExhausted,
                     "insufficient credit on account '" + entry.account + "': a debit of " + debit + ", " + left +
                         " available",
                     {}, "insufficient_credit",
                     ErrorParams{{"account", entry.account}, {"needed", debit}, {"available", left}});
      }
    }
    LedgerEntry stored = entry;
    stored.id = insert_line(sql, *account, entry, entry.booking.value());
    SideEffects fx;
    fx.audit.push_back(audit);
    write_effects(sql, dialect_, fx);
    tx.commit();
    return stored;
  });
}

namespace {

// Ledger lines matching `where` (on l, its one named parameter :key bound to `key`), in `order`.
template <typename Key>
std::vector<LedgerEntry> load_ledger(soci::session& sql, const std::string& where, const Key& key,
                                     const std::string& order) {
  std::vector<LedgerEntry> out;
  LedgerEntry e;
  std::int64_t at = 0, booking = 0;
  soci::indicator booking_ind = soci::i_null;
  soci::statement st =
      (sql.prepare << "SELECT l.id, a.name, l.at, l.kind, l.amount, l.hold, l.booking_id, l.actor, l.note FROM "
                      "ledger l JOIN billing_accounts a ON a.id = l.account_id WHERE " +
                          where + " ORDER BY " + order,
       soci::use(key, "key"), soci::into(e.id), soci::into(e.account), soci::into(at), soci::into(e.kind),
       soci::into(e.amount), soci::into(e.hold), soci::into(booking, booking_ind), soci::into(e.actor),
       soci::into(e.note));
  st.execute();
  while (st.fetch()) {
    e.at = from_epoch_ms(at);
    e.booking = BookingId{booking_ind == soci::i_ok ? booking : 0};
    out.push_back(e);
  }
  return out;
}

}  // namespace

Result<std::vector<LedgerEntry>> SqlStore::list_ledger(const std::string& account, int limit, int offset) {
  return run<std::vector<LedgerEntry>>("list ledger", [&](soci::session& sql) {
    const int n = std::clamp(limit, 1, 1000);
    return Result<std::vector<LedgerEntry>>(load_ledger(
        sql, "a.name = :key", account,
        "l.id DESC LIMIT " + std::to_string(n) + " OFFSET " + std::to_string(std::max(offset, 0))));
  });
}

Result<std::vector<LedgerEntry>> SqlStore::ledger_of_booking(BookingId booking) {
  return run<std::vector<LedgerEntry>>("ledger of booking", [&](soci::session& sql) {
    const std::int64_t raw = booking.value();
    return Result<std::vector<LedgerEntry>>(load_ledger(sql, "l.booking_id = :key", raw, "l.id"));
  });
}

Result<std::vector<CaptureLine>> SqlStore::list_captures(TimePoint from, TimePoint to) {
  return run<std::vector<CaptureLine>>("list captures", [&](soci::session& sql) {
    std::vector<CaptureLine> out;
    std::int64_t f = to_epoch_ms(from), t = to_epoch_ms(to);
    {
      CaptureLine c;
      std::int64_t at = 0, booking = 0;
      soci::indicator booking_ind = soci::i_null;
      soci::statement st =
          (sql.prepare << "SELECT l.id, a.name, l.at, l.amount, l.booking_id, l.actor, l.note, a.currency, "
                          "COALESCE(b.owner, a.owner) FROM ledger l JOIN billing_accounts a ON a.id = l.account_id "
                          "LEFT JOIN bookings b ON b.id = l.booking_id WHERE l.kind = 'capture' AND l.at >= :f AND "
                          "l.at < :t ORDER BY l.at, l.id",
           soci::use(f, "f"), soci::use(t, "t"), soci::into(c.entry.id), soci::into(c.entry.account),
           soci::into(at), soci::into(c.entry.amount), soci::into(booking, booking_ind), soci::into(c.entry.actor),
           soci::into(c.entry.note), soci::into(c.currency), soci::into(c.owner));
      st.execute();
      c.entry.kind = "capture";
      while (st.fetch()) {
        c.entry.at = from_epoch_ms(at);
        c.entry.booking = BookingId{booking_ind == soci::i_ok ? booking : 0};
        out.push_back(c);
      }
    }
    if (out.empty()) return Result<std::vector<CaptureLine>>(std::move(out));
    // The connection time of the captured bookings per access number, in one query.
    std::map<std::int64_t, std::vector<std::pair<std::string, std::int64_t>>> per_booking;
    std::int64_t booking = 0, ms = 0;
    std::string access;
    soci::statement st =
        (sql.prepare << "SELECT c.booking_id, c.access_number, SUM(COALESCE(c.left_at, c.joined_at) - c.joined_at) "
                        "FROM participant_connections c WHERE c.booking_id IN (SELECT l.booking_id FROM ledger l "
                        "WHERE l.kind = 'capture' AND l.at >= :f AND l.at < :t) GROUP BY c.booking_id, "
                        "c.access_number ORDER BY c.booking_id, c.access_number",
         soci::use(f, "f"), soci::use(t, "t"), soci::into(booking), soci::into(access), soci::into(ms));
    st.execute();
    while (st.fetch()) per_booking[booking].emplace_back(access, std::max<std::int64_t>(ms, 0));
    for (auto& c : out) {
      auto it = per_booking.find(c.entry.booking.value());
      if (it != per_booking.end()) c.access_ms = it->second;
    }
    return Result<std::vector<CaptureLine>>(std::move(out));
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqlStore::holds_of(BookingId booking) {
  return run<std::vector<std::pair<std::string, std::int64_t>>>("holds of booking", [&](soci::session& sql) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (auto& open : open_holds(sql, booking.value())) out.emplace_back(std::move(open.account), open.hold);
    return Result<std::vector<std::pair<std::string, std::int64_t>>>(std::move(out));
  });
}

}  // namespace confpro::store::detail
