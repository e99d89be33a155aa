// The schema, as versioned migrations (sql_store.h). Times are epoch milliseconds (UTC) in BIGINT columns;
// booleans are INTEGER 0/1; only the identity column differs between SQLite and PostgreSQL.
#include <string>
#include <vector>

#include "store/sql_store.h"
#include "store/text_fold.h"

namespace confpro::store::detail {

namespace {

std::string with_identity(std::string sql, Dialect dialect) {
  const std::string id = dialect == Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                                     : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
  for (size_t pos; (pos = sql.find("{ID}")) != std::string::npos;) sql.replace(pos, 4, id);
  return sql;
}

const char* const kV1 = R"sql(
CREATE TABLE users (
  id {ID},
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'organizer',
  password_hash TEXT NOT NULL DEFAULT '',
  phone_account TEXT UNIQUE,
  phone_pin_hash TEXT NOT NULL DEFAULT '',
  phone_default_duration INTEGER NOT NULL DEFAULT 0,
  phone_default_max_participants INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX users_mobile ON users (mobile);
CREATE TABLE access_numbers (
  number TEXT PRIMARY KEY,
  label TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT 'local',
  language TEXT NOT NULL DEFAULT 'fr'
);
CREATE TABLE bookings (
  id {ID},
  name TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  number TEXT NOT NULL UNIQUE,
  user_pin TEXT NOT NULL,
  moderator_pin TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_until BIGINT NOT NULL,
  duration_minutes INTEGER NOT NULL,
  validity_days INTEGER NOT NULL,
  max_participants INTEGER NOT NULL,
  language TEXT NOT NULL,
  announce_moderator INTEGER NOT NULL DEFAULT 0,
  record_conference INTEGER NOT NULL DEFAULT 0,
  announce_users INTEGER NOT NULL DEFAULT 0,
  listen_only INTEGER NOT NULL DEFAULT 0,
  wait_for_leader INTEGER NOT NULL DEFAULT 0,
  join_policy TEXT NOT NULL DEFAULT 'pin',
  created_via TEXT NOT NULL DEFAULT 'cli',
  access_number TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  end_reason TEXT NOT NULL DEFAULT '',
  opened_at BIGINT,
  ended_at BIGINT,
  updated_at BIGINT NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX bookings_owner ON bookings (owner);
CREATE INDEX bookings_valid_from ON bookings (valid_from);
CREATE INDEX bookings_state_until ON bookings (state, valid_until);
CREATE TABLE booking_invitees (
  booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  personal_pin TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (booking_id, seq)
);
CREATE TABLE conference_sessions (
  id {ID},
  booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  number TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  closed_at BIGINT,
  close_reason TEXT NOT NULL DEFAULT '',
  recording_path TEXT NOT NULL DEFAULT '',
  node TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_booking ON conference_sessions (booking_id);
CREATE INDEX sessions_opened ON conference_sessions (opened_at);
CREATE TABLE participant_connections (
  id {ID},
  session_id BIGINT NOT NULL REFERENCES conference_sessions (id) ON DELETE CASCADE,
  booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  caller_number TEXT NOT NULL DEFAULT '',
  caller_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'user',
  access_number TEXT NOT NULL DEFAULT '',
  call_ref TEXT NOT NULL DEFAULT '',
  joined_at BIGINT NOT NULL,
  left_at BIGINT,
  leave_reason TEXT NOT NULL DEFAULT '',
  codec TEXT NOT NULL DEFAULT '',
  remote_address TEXT NOT NULL DEFAULT '',
  loss_fraction DOUBLE PRECISION NOT NULL DEFAULT 0,
  jitter_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
  rtt_ms DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX connections_session ON participant_connections (session_id);
CREATE INDEX connections_joined ON participant_connections (joined_at);
CREATE TABLE audit_log (
  id {ID},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit_log (at);
CREATE TABLE outbox (
  id {ID},
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  booking_id BIGINT REFERENCES bookings (id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at)
)sql";

// v2: the bookings list of the web console at 10,000+ bookings. Each filter it offers has an index in the order
// of the default sort (valid_from), so a page is an index range walk and its count an index-only count.
const char* const kV2Indexes = R"sql(
CREATE INDEX bookings_owner_from ON bookings (owner, valid_from);
CREATE INDEX bookings_owner_name ON bookings (owner, name);
CREATE INDEX bookings_state_from ON bookings (state, valid_from);
CREATE INDEX bookings_created ON bookings (created_at)
)sql";

// SQLite: name search ("contains", any case) through an FTS5 trigram index over one column of bookings, kept in
// step by triggers on the name (split_statements keeps each CREATE TRIGGER … END whole). `rebuild`: fill it from
// the existing rows at once. v2 indexed name, v3 name_folded.
std::string sqlite_name_index(const std::string& column, bool rebuild) {
  std::string sql = R"sql(;
CREATE VIRTUAL TABLE bookings_name_fts USING fts5({C}, content='bookings', content_rowid='id', tokenize='trigram');
)sql";
  if (rebuild) sql += "INSERT INTO bookings_name_fts (bookings_name_fts) VALUES ('rebuild');\n";
  sql += R"sql(CREATE TRIGGER bookings_name_fts_insert AFTER INSERT ON bookings BEGIN
  INSERT INTO bookings_name_fts (rowid, {C}) VALUES (new.id, new.{C});
END;
CREATE TRIGGER bookings_name_fts_delete AFTER DELETE ON bookings BEGIN
  INSERT INTO bookings_name_fts (bookings_name_fts, rowid, {C}) VALUES ('delete', old.id, old.{C});
END;
CREATE TRIGGER bookings_name_fts_update AFTER UPDATE OF name ON bookings BEGIN
  INSERT INTO bookings_name_fts (bookings_name_fts, rowid, {C}) VALUES ('delete', old.id, old.{C});
  INSERT INTO bookings_name_fts (rowid, {C}) VALUES (new.id, new.{C});
END
)sql";
  for (size_t pos; (pos = sql.find("{C}")) != std::string::npos;) sql.replace(pos, 3, column);
  return sql;
}

// v3: name search whatever the case and accents. bookings.name_folded holds fold_for_search(name) (text_fold.h),
// written by the store with every name and filled for existing rows by after_migration; search matches the
// folded query against it ("élise", "ELISE" and "Elise" all find "Élise" on both back-ends).
// SQLite: the trigram index moves from name to name_folded; after_migration rebuilds it once the backfill is
// done. Its update trigger fires on UPDATE OF name (the store writes name and name_folded together), so the
// backfill's updates, which touch name_folded only, leave the index alone (an FTS5 "delete" of a row the index
// does not hold corrupts it).
const char* const kV3SqliteFoldedName = R"sql(
ALTER TABLE bookings ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
DROP TRIGGER bookings_name_fts_insert;
DROP TRIGGER bookings_name_fts_delete;
DROP TRIGGER bookings_name_fts_update;
DROP TABLE bookings_name_fts
)sql";

// PostgreSQL: a pg_trgm GIN index on name_folded serves LIKE '%…%'. pg_trgm is a trusted extension (PostgreSQL
// 13+: a database owner may create it); where it cannot be created the search still works, by a scan.
const char* const kV3PostgresFoldedName = R"sql(
ALTER TABLE bookings ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
DO $$ BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm not available (%): booking name search will scan', SQLERRM;
END $$;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX bookings_name_trgm ON bookings USING gin (name_folded gin_trgm_ops)';
  END IF;
END $$
)sql";

// v4: deleting a booking keeps what was used (issue 12 item 8). A deleted booking keeps its row, sessions and
// connections; deleted_at/deleted_by say when and by whom. Its number and name become free for new bookings:
// the store moves them to deleted_number/deleted_name and leaves a tombstone ("deleted:<id>", never dialled)
// in the unique columns. Only a purge (Store::purge_history) removes rows.
const char* const kV4SoftDelete = R"sql(
ALTER TABLE bookings ADD COLUMN deleted_at BIGINT;
ALTER TABLE bookings ADD COLUMN deleted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN deleted_number TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN deleted_name TEXT NOT NULL DEFAULT '';
CREATE INDEX bookings_deleted ON bookings (deleted_at)
)sql";

// v5: a connection names the booking's invitee the caller was (by number or personal PIN; B8, issue 14).
const char* const kV5ConnectionInvitee = R"sql(
ALTER TABLE participant_connections ADD COLUMN invitee TEXT NOT NULL DEFAULT ''
)sql";

// v6: billing accounts and their append-only ledger (FEATURES.md P2, issue 16). Amounts in minor units.
const char* const kV6Billing = R"sql(
CREATE TABLE billing_accounts (
  id {ID},
  name TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  prepaid INTEGER NOT NULL DEFAULT 1,
  credit_limit BIGINT NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'EUR',
  created_at BIGINT NOT NULL
);
CREATE TABLE ledger (
  id {ID},
  account_id BIGINT NOT NULL REFERENCES billing_accounts (id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL DEFAULT 0,
  hold BIGINT NOT NULL DEFAULT 0,
  booking_id BIGINT,
  actor TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ledger_account ON ledger (account_id);
CREATE INDEX ledger_booking ON ledger (booking_id)
)sql";

// v7: users provisioned from an LDAP directory (issue 14) are kept beside local ones; `source` says which.
const char* const kV7UserSource = R"sql(
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
)sql";

// v8: an e-mail row carries its calendar invitation (iMIP, notify/), rendered with the rest of the message
// when the booking change is stored, so what is sent is what the booking was then.
const char* const kV8OutboxCalendar = R"sql(
ALTER TABLE outbox ADD COLUMN calendar TEXT NOT NULL DEFAULT ''
)sql";

// v9: SMS delivery reports (issue 15 item 3) — the token the gateway's callback URL carries and the last report
// kept — and reminders (item 4): a mark per booking and what was written for which of its times, inserted with
// the outbox rows in one transaction so that several nodes and restarts write them once. The housekeeping scan
// reads recently ended bookings (state, ended_at) and those about to start (bookings_valid_from).
const char* const kV9NotifyReportsAndMarks = R"sql(
ALTER TABLE outbox ADD COLUMN report_token TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN report_state TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN report_at BIGINT;
ALTER TABLE outbox ADD COLUMN report_answer TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_booking ON outbox (booking_id);
CREATE INDEX bookings_state_ended ON bookings (state, ended_at);
CREATE TABLE notify_marks (
  booking_id BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  what TEXT NOT NULL,
  at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (booking_id, what, at)
)
)sql";

// v10: the CDR files (issue 16 P3). A closed session's rows are appended to the CDR file and synced, then
// cdr_exported_at is set: a crash between the two gives duplicate rows (stable ids), never lost ones.
const char* const kV10CdrExported = R"sql(
ALTER TABLE conference_sessions ADD COLUMN cdr_exported_at BIGINT;
CREATE INDEX sessions_cdr_pending ON conference_sessions (cdr_exported_at, closed_at)
)sql";

// v11: the numbers a user calls from besides their mobile (issue 14: an LDAP user's desk phone), recognised when
// they call to create a conference.
const char* const kV11UserCallerNumbers = R"sql(
ALTER TABLE users ADD COLUMN caller_numbers TEXT NOT NULL DEFAULT ''
)sql";

// v12: an e-mail row may carry the operator's HTML part (an `.html` template, issue 15 item 2); '' = the HTML part
// is made from the text when the mail is built.
const char* const kV12OutboxHtml = R"sql(
ALTER TABLE outbox ADD COLUMN html TEXT NOT NULL DEFAULT ''
)sql";

// v13: a billing account may be shared (issue 16 P2): the usernames and group DNs besides its owner who may pay
// with it, one per line; '' = the owner only.
const char* const kV13AccountMembers = R"sql(
ALTER TABLE billing_accounts ADD COLUMN members TEXT NOT NULL DEFAULT ''
)sql";

// v14: a booking keeps the category its owner booked it in (issue 16 P1: plans sold to a category price it).
const char* const kV14BookingCategory = R"sql(
ALTER TABLE bookings ADD COLUMN category TEXT NOT NULL DEFAULT ''
)sql";

// v15: which node hosts each live conference (issue 18, several nodes on one PostgreSQL): one row per conference
// number, taken with INSERT … ON CONFLICT DO NOTHING, renewed by its node, taken over once expired (claims_sql.cpp).
// A SIP proxy reads it to send a conference number's callers to its node (deploy/kamailio/).
const char* const kV15ConferenceClaims = R"sql(
CREATE TABLE conference_claims (
  number TEXT PRIMARY KEY,
  booking_id BIGINT NOT NULL,
  node TEXT NOT NULL,
  sip_uri TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  renewed_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX conference_claims_node ON conference_claims (node)
)sql";

// v16: each node's heartbeat (store.h NodeBeat): when a crashed node was last alive, and its load.
const char* const kV16NodeBeats = R"sql(
CREATE TABLE node_beats (
  node TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  conferences BIGINT NOT NULL DEFAULT 0,
  participants BIGINT NOT NULL DEFAULT 0
)
)sql";

}  // namespace

std::vector<std::string> migrations(Dialect dialect) {
  if (dialect == Dialect::kPostgres)
    return {with_identity(kV1, dialect), kV2Indexes, kV3PostgresFoldedName, kV4SoftDelete, kV5ConnectionInvitee,
            with_identity(kV6Billing, dialect), kV7UserSource, kV8OutboxCalendar, kV9NotifyReportsAndMarks,
            kV10CdrExported, kV11UserCallerNumbers, kV12OutboxHtml, kV13AccountMembers, kV14BookingCategory, kV15ConferenceClaims, kV16NodeBeats};
  return {with_identity(kV1, dialect), kV2Indexes + sqlite_name_index("name", true),
          kV3SqliteFoldedName + sqlite_name_index("name_folded", false), kV4SoftDelete,
          kV5ConnectionInvitee, with_identity(kV6Billing, dialect), kV7UserSource, kV8OutboxCalendar, kV9NotifyReportsAndMarks,
          kV10CdrExported, kV11UserCallerNumbers, kV12OutboxHtml, kV13AccountMembers, kV14BookingCategory, kV15ConferenceClaims, kV16NodeBeats};
}

void after_migration(soci::session& sql, Dialect dialect, int version) {
  if (version != 3) return;
  std::vector<std::int64_t> ids(256);
  std::vector<std::string> names(256);
  std::int64_t after = 0;
  for (;;) {  // in id order, 256 rows at a time
    ids.resize(256);
    names.resize(256);
    sql << "SELECT id, name FROM bookings WHERE id > :after ORDER BY id LIMIT 256", soci::use(after, "after"),
        soci::into(ids), soci::into(names);
    if (ids.empty()) break;
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string folded = fold_for_search(names[i]);
      sql << "UPDATE bookings SET name_folded = :folded WHERE id = :id", soci::use(folded, "folded"),
          soci::use(ids[i], "id");
    }
    after = ids.back();
  }
  if (dialect == Dialect::kSqlite) sql << "INSERT INTO bookings_name_fts (bookings_name_fts) VALUES ('rebuild')";
}

}  // namespace confpro::store::detail
