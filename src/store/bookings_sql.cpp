// Booking reads, delete and search (sql_store.h).
#include <algorithm>
#include <cctype>

#include "store/sql_store.h"
#include "store/text_fold.h"

namespace confpro::store::detail {

namespace {

std::string like_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const char* sort_column(BookingSort s) {
  switch (s) {
    case BookingSort::kValidFrom:
      return "valid_from";
    case BookingSort::kCreatedAt:
      return "created_at";
    case BookingSort::kName:
      return "name";
    case BookingSort::kNumber:
      return "number";
    case BookingSort::kOwner:
      return "owner";
    case BookingSort::kState:
      return "state";
  }
  return "valid_from";
}

// "folded name contains :name_like" (fold_for_search of the text, % around). SQLite: through the trigram index
// bookings_name_fts (v3), which SQLite uses only for a LIKE without ESCAPE, so ESCAPE is added only when the text
// needs it. PostgreSQL: through the pg_trgm index bookings_name_trgm (v3) when the extension was available.
std::string name_condition(Dialect dialect, const std::string& text) {
  const bool plain = text.find_first_of("%_\\") == std::string::npos;
  if (dialect == Dialect::kSqlite) {
    return std::string(" AND id IN (SELECT rowid FROM bookings_name_fts WHERE name_folded LIKE :name_like") +
           (plain ? ")" : " ESCAPE '\\')");
  }
  return " AND name_folded LIKE :name_like ESCAPE '\\'";
}

}  // namespace

Result<domain::Booking> SqlStore::get_booking(BookingId id) {
  return run<domain::Booking>("get booking", [&](soci::session& sql) {
    return load_booking(sql, "WHERE id = :id AND deleted_at IS NULL", id.value(), "");
  });
}

Result<domain::Booking> SqlStore::find_booking_by_number(const std::string& number) {
  return run<domain::Booking>("find booking", [&](soci::session& sql) {
    return load_booking(sql, "WHERE number = :text AND deleted_at IS NULL", 0, number);
  });
}

Result<domain::Booking> SqlStore::find_booking_by_name(const std::string& name) {
  return run<domain::Booking>("find booking", [&](soci::session& sql) {
    return load_booking(sql, "WHERE name = :text AND deleted_at IS NULL", 0, name);
  });
}

Status SqlStore::delete_booking(BookingId id, const Deletion& deletion, const SideEffects& effects) {
  return run_status("delete booking", [&](soci::session& sql) -> Status {
    Tx tx(sql, dialect_);
    std::int64_t raw = id.value(), at = to_epoch_ms(deletion.at);
    // The tombstone frees the unique number and name; it is no digit string, so no call ever dials it.
    const std::string tombstone = "deleted:" + std::to_string(raw);
    soci::statement st =
        (sql.prepare << "UPDATE bookings SET deleted_at = :at, deleted_by = :by, deleted_number = number, "
                        "deleted_name = name, number = :tomb, name = :tomb, name_folded = :tomb, "
                        "updated_at = :at, version = version + 1 WHERE id = :id AND deleted_at IS NULL",
         soci::use(at, "at"), soci::use(deletion.by, "by"), soci::use(tombstone, "tomb"),
         soci::use(raw, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such booking");
    write_effects(sql, dialect_, effects);
    // A deleted booking holds no credit any more (issue 16): what was reserved for it is released.
    release_holds(sql, raw, deletion.at, deletion.by, "booking deleted");
    tx.commit();
    return {};
  });
}

Result<Page<domain::Booking>> SqlStore::search_bookings(const BookingQuery& q) {
  return run<Page<domain::Booking>>(
      "search bookings", [&](soci::session& sql) -> Result<Page<domain::Booking>> {
        std::string where = "WHERE deleted_at IS NULL";
        std::string prefix = like_escape(q.number_prefix) + "%";
        std::string name_like = "%" + like_escape(fold_for_search(q.name_contains)) + "%";
        std::string state = q.state ? domain::to_string(*q.state) : "";
        std::int64_t from = q.from ? to_epoch_ms(*q.from) : 0, to = q.to ? to_epoch_ms(*q.to) : 0;
        if (!q.number_prefix.empty()) where += " AND number LIKE :prefix ESCAPE '\\'";
        if (!q.name_contains.empty()) where += name_condition(dialect_, q.name_contains);
        if (!q.owner.empty()) where += " AND owner = :owner";
        if (q.state) where += " AND state = :state";
        if (q.from) where += " AND valid_from >= :from";
        if (q.to) where += " AND valid_from < :to";
        auto bind = [&](soci::statement& st) {
          if (!q.number_prefix.empty()) st.exchange(soci::use(prefix, "prefix"));
          if (!q.name_contains.empty()) st.exchange(soci::use(name_like, "name_like"));
          if (!q.owner.empty()) st.exchange(soci::use(q.owner, "owner"));
          if (q.state) st.exchange(soci::use(state, "state"));
          if (q.from) st.exchange(soci::use(from, "from"));
          if (q.to) st.exchange(soci::use(to, "to"));
        };
        Page<domain::Booking> page;
        page.total = count_matching(sql, "FROM bookings " + where, bind);
        const std::string dir = q.descending ? " DESC" : " ASC";
        page.items = load_bookings(
            sql, where + " ORDER BY " + sort_column(q.sort) + dir + ", id" + dir + page_clause(q.limit, q.offset),
            bind);
        return page;
      });
}

Result<std::vector<domain::Booking>> SqlStore::scheduled_lapsed(TimePoint now, int limit) {
  return run<std::vector<domain::Booking>>("lapsed bookings", [&](soci::session& sql) {
    std::int64_t at = to_epoch_ms(now);
    return Result<std::vector<domain::Booking>>(
        load_bookings(sql,
                      "WHERE state = 'scheduled' AND deleted_at IS NULL AND valid_until <= :now ORDER BY "
                      "valid_until LIMIT " +
                          std::to_string(std::clamp(limit, 1, 10000)),
                      [&](soci::statement& st) { st.exchange(soci::use(at, "now")); }));
  });
}

Result<std::vector<domain::Booking>> SqlStore::active_overdue(TimePoint now, int limit) {
  return run<std::vector<domain::Booking>>("overdue bookings", [&](soci::session& sql) {
    std::int64_t at = to_epoch_ms(now);
    return Result<std::vector<domain::Booking>>(load_bookings(
        sql,
        "WHERE state = 'active' AND deleted_at IS NULL AND opened_at + duration_minutes * 60000 <= :now AND "
        "NOT EXISTS (SELECT 1 "
        "FROM "
        "conference_sessions s WHERE s.booking_id = bookings.id AND s.closed_at IS NULL) ORDER BY id LIMIT " +
            std::to_string(std::clamp(limit, 1, 10000)),
        [&](soci::statement& st) { st.exchange(soci::use(at, "now")); }));
  });
}

Result<int> SqlStore::count_bookings_in_force(const std::string& owner, TimePoint now) {
  return run<int>("bookings in force", [&](soci::session& sql) {
    std::int64_t at = to_epoch_ms(now);
    return Result<int>(static_cast<int>(count_matching(
        sql,
        "FROM bookings WHERE owner = :owner AND deleted_at IS NULL AND (state = 'active' OR (state = "
        "'scheduled' AND valid_until > :now))",
        [&](soci::statement& st) {
          st.exchange(soci::use(owner, "owner"));
          st.exchange(soci::use(at, "now"));
        })));
  });
}

}  // namespace confpro::store::detail

namespace confpro::store::detail {

std::map<std::int64_t, Deletion> restore_deleted(soci::session& sql, std::vector<domain::Booking>& bookings) {
  std::map<std::int64_t, Deletion> out;
  std::string ids;
  for (const auto& b : bookings) ids += (ids.empty() ? "" : ",") + std::to_string(b.id.value());
  if (ids.empty()) return out;
  std::int64_t id = 0, at = 0;
  std::string by, number, name;
  soci::statement st = (sql.prepare << "SELECT id, deleted_at, deleted_by, deleted_number, deleted_name FROM "
                                       "bookings WHERE deleted_at IS NOT NULL AND id IN (" +
                                           ids + ")",
                        soci::into(id), soci::into(at), soci::into(by), soci::into(number), soci::into(name));
  st.execute();
  std::map<std::int64_t, std::pair<std::string, std::string>> names;
  while (st.fetch()) {
    out[id] = Deletion{from_epoch_ms(at), by};
    names[id] = {number, name};
  }
  for (auto& b : bookings) {
    if (auto it = names.find(b.id.value()); it != names.end()) {
      b.number = it->second.first;
      b.name = it->second.second;
    }
  }
  return out;
}

}  // namespace confpro::store::detail
