// The schema, as versioned migrations (sql_store.h). Times are epoch milliseconds (UTC) in BIGINT columns;
// booleans are INTEGER 0/1; only the identity column differs between SQLite and PostgreSQL.
#include <string>
#include <vector>

#include "store/sql_store.h"

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

// SQLite: name search ("contains", any case) through an FTS5 trigram index over bookings.name, kept in step by
// triggers (split_statements keeps each CREATE TRIGGER … END whole).
const char* const kV2SqliteNameIndex = R"sql(;
CREATE VIRTUAL TABLE bookings_name_fts USING fts5(name, content='bookings', content_rowid='id', tokenize='trigram');
INSERT INTO bookings_name_fts (bookings_name_fts) VALUES ('rebuild');
CREATE TRIGGER bookings_name_fts_insert AFTER INSERT ON bookings BEGIN
  INSERT INTO bookings_name_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER bookings_name_fts_delete AFTER DELETE ON bookings BEGIN
  INSERT INTO bookings_name_fts (bookings_name_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER bookings_name_fts_update AFTER UPDATE OF name ON bookings BEGIN
  INSERT INTO bookings_name_fts (bookings_name_fts, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO bookings_name_fts (rowid, name) VALUES (new.id, new.name);
END
)sql";

}  // namespace

std::vector<std::string> migrations(Dialect dialect) {
  std::string v2 = kV2Indexes;
  if (dialect == Dialect::kSqlite) v2 += kV2SqliteNameIndex;
  return {with_identity(kV1, dialect), v2};
}

}  // namespace confpro::store::detail
