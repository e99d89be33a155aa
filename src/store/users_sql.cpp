// Users and access numbers (sql_store.h).
#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

struct UserRow {
  std::int64_t id = 0;
  std::string username, display_name, email, mobile, role, password_hash, phone_account, phone_pin_hash;
  soci::indicator phone_account_ind = soci::i_null;
  int phone_default_duration = 0, phone_default_max_participants = 0, disabled = 0;
  std::int64_t created_at = 0;
};

const char* const kUserColumns =
    "SELECT id, username, display_name, email, mobile, role, password_hash, phone_account, phone_pin_hash, "
    "phone_default_duration, phone_default_max_participants, disabled, created_at FROM users ";

void bind_into(soci::statement& st, UserRow& r) {
  using soci::into;
  st.exchange(into(r.id));
  st.exchange(into(r.username));
  st.exchange(into(r.display_name));
  st.exchange(into(r.email));
  st.exchange(into(r.mobile));
  st.exchange(into(r.role));
  st.exchange(into(r.password_hash));
  st.exchange(into(r.phone_account, r.phone_account_ind));
  st.exchange(into(r.phone_pin_hash));
  st.exchange(into(r.phone_default_duration));
  st.exchange(into(r.phone_default_max_participants));
  st.exchange(into(r.disabled));
  st.exchange(into(r.created_at));
}

void bind_use(soci::statement& st, UserRow& r) {
  using soci::use;
  st.exchange(use(r.username, "username"));
  st.exchange(use(r.display_name, "display_name"));
  st.exchange(use(r.email, "email"));
  st.exchange(use(r.mobile, "mobile"));
  st.exchange(use(r.role, "role"));
  st.exchange(use(r.password_hash, "password_hash"));
  st.exchange(use(r.phone_account, r.phone_account_ind, "phone_account"));
  st.exchange(use(r.phone_pin_hash, "phone_pin_hash"));
  st.exchange(use(r.phone_default_duration, "phone_default_duration"));
  st.exchange(use(r.phone_default_max_participants, "phone_default_max_participants"));
  st.exchange(use(r.disabled, "disabled"));
  st.exchange(use(r.created_at, "created_at"));
}

UserRow to_row(const User& u) {
  UserRow r;
  r.id = u.id.value();
  r.username = u.username;
  r.display_name = u.display_name;
  r.email = u.email;
  r.mobile = u.mobile;
  r.role = u.role;
  r.password_hash = u.password_hash;
  r.phone_account = u.phone_account;
  r.phone_account_ind = u.phone_account.empty() ? soci::i_null : soci::i_ok;
  r.phone_pin_hash = u.phone_pin_hash;
  r.phone_default_duration = u.phone_default_duration_minutes;
  r.phone_default_max_participants = u.phone_default_max_participants;
  r.disabled = u.disabled ? 1 : 0;
  r.created_at = to_epoch_ms(u.created_at);
  return r;
}

User from_row(const UserRow& r) {
  User u;
  u.id = UserId{r.id};
  u.username = r.username;
  u.display_name = r.display_name;
  u.email = r.email;
  u.mobile = r.mobile;
  u.role = r.role;
  u.password_hash = r.password_hash;
  u.phone_account = r.phone_account_ind == soci::i_ok ? r.phone_account : "";
  u.phone_pin_hash = r.phone_pin_hash;
  u.phone_default_duration_minutes = r.phone_default_duration;
  u.phone_default_max_participants = r.phone_default_max_participants;
  u.disabled = r.disabled != 0;
  u.created_at = from_epoch_ms(r.created_at);
  return u;
}

std::vector<User> load_users(soci::session& sql, const std::string& where,
                             const std::function<void(soci::statement&)>& bind) {
  std::vector<User> out;
  UserRow row;
  soci::statement st(sql);
  bind_into(st, row);
  if (bind) bind(st);
  st.alloc();
  st.prepare(kUserColumns + where);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) {
    out.push_back(from_row(row));
    row.phone_account_ind = soci::i_null;
  }
  return out;
}

Result<User> one_user(soci::session& sql, const std::string& where, const std::string& text) {
  auto users = load_users(sql, where, [&](soci::statement& st) { st.exchange(soci::use(text, "text")); });
  if (users.empty()) return Error::not_found("no such user");
  return std::move(users.front());
}

}  // namespace

Result<User> SqlStore::add_user(const User& user) {
  return run<User>("add user", [&](soci::session& sql) -> Result<User> {
    UserRow row = to_row(user);
    std::int64_t id = 0;
    soci::statement st(sql);
    bind_use(st, row);
    st.exchange(soci::into(id));
    st.alloc();
    st.prepare(
        "INSERT INTO users (username, display_name, email, mobile, role, password_hash, phone_account, "
        "phone_pin_hash, phone_default_duration, phone_default_max_participants, disabled, created_at) "
        "VALUES "
        "(:username, :display_name, :email, :mobile, :role, :password_hash, :phone_account, :phone_pin_hash, "
        ":phone_default_duration, :phone_default_max_participants, :disabled, :created_at) RETURNING id");
    st.define_and_bind();
    st.execute(true);
    User stored = user;
    stored.id = UserId{id};
    return stored;
  });
}

Result<User> SqlStore::get_user(UserId id) {
  return run<User>("get user", [&](soci::session& sql) -> Result<User> {
    std::int64_t raw = id.value();
    auto users =
        load_users(sql, "WHERE id = :id", [&](soci::statement& st) { st.exchange(soci::use(raw, "id")); });
    if (users.empty()) return Error::not_found("no such user");
    return std::move(users.front());
  });
}

Result<User> SqlStore::find_user(const std::string& username) {
  return run<User>("find user",
                   [&](soci::session& sql) { return one_user(sql, "WHERE username = :text", username); });
}

Result<User> SqlStore::find_user_by_phone_account(const std::string& phone_account) {
  return run<User>("find user", [&](soci::session& sql) {
    return one_user(sql, "WHERE phone_account = :text", phone_account);
  });
}

Result<User> SqlStore::find_user_by_mobile(const std::string& mobile) {
  return run<User>("find user", [&](soci::session& sql) {
    return one_user(sql, "WHERE mobile = :text AND mobile <> '' AND disabled = 0 ORDER BY id LIMIT 1",
                    mobile);
  });
}

Result<std::vector<User>> SqlStore::list_users() {
  return run<std::vector<User>>("list users", [&](soci::session& sql) {
    return Result<std::vector<User>>(load_users(sql, "ORDER BY username", nullptr));
  });
}

Status SqlStore::update_user(const User& user) {
  return run_status("update user", [&](soci::session& sql) -> Status {
    UserRow row = to_row(user);
    soci::statement st(sql);
    bind_use(st, row);
    st.exchange(soci::use(row.id, "id"));
    st.alloc();
    st.prepare(
        "UPDATE users SET username = :username, display_name = :display_name, email = :email, mobile = "
        ":mobile, "
        "role = :role, password_hash = :password_hash, phone_account = :phone_account, "
        "phone_pin_hash = :phone_pin_hash, phone_default_duration = :phone_default_duration, "
        "phone_default_max_participants = :phone_default_max_participants, disabled = :disabled, "
        "created_at = :created_at WHERE id = :id");
    st.define_and_bind();
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such user");
    return {};
  });
}

Status SqlStore::delete_user(UserId id) {
  return run_status("delete user", [&](soci::session& sql) -> Status {
    std::int64_t raw = id.value();
    soci::statement st = (sql.prepare << "DELETE FROM users WHERE id = :id", soci::use(raw, "id"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such user");
    return {};
  });
}

Status SqlStore::upsert_access_number(const AccessNumber& n) {
  return run_status("upsert access number", [&](soci::session& sql) -> Status {
    std::string language = domain::to_string(n.language);
    sql << "INSERT INTO access_numbers (number, label, kind, language) VALUES (:number, :label, :kind, "
           ":language) "
           "ON CONFLICT (number) DO UPDATE SET label = excluded.label, kind = excluded.kind, "
           "language = excluded.language",
        soci::use(n.number, "number"), soci::use(n.label, "label"), soci::use(n.kind, "kind"),
        soci::use(language, "language");
    return {};
  });
}

Result<std::vector<AccessNumber>> SqlStore::list_access_numbers() {
  return run<std::vector<AccessNumber>>("list access numbers", [&](soci::session& sql) {
    std::vector<AccessNumber> out;
    AccessNumber n;
    std::string language;
    soci::statement st =
        (sql.prepare << "SELECT number, label, kind, language FROM access_numbers ORDER BY number",
         soci::into(n.number), soci::into(n.label), soci::into(n.kind), soci::into(language));
    st.execute();
    while (st.fetch()) {
      n.language = domain::language_from_string(language).value_or(domain::Language::kFrench);
      out.push_back(n);
    }
    return Result<std::vector<AccessNumber>>(std::move(out));
  });
}

Status SqlStore::delete_access_number(const std::string& number) {
  return run_status("delete access number", [&](soci::session& sql) -> Status {
    soci::statement st =
        (sql.prepare << "DELETE FROM access_numbers WHERE number = :n", soci::use(number, "n"));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Error::not_found("no such access number");
    return {};
  });
}

}  // namespace confpro::store::detail
