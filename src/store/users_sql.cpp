// Users and access numbers (sql_store.h).
#include "store/sql_store.h"

// A user row ↔ User by SOCI: soci::into(user) reads the columns of kUserColumns in order; soci::use(user) binds
// the named parameters :username … :created_at (an empty phone account is NULL: the column is unique).
namespace soci {
template <>
struct type_conversion<confpro::store::User> {
  using base_type = values;
  static void from_base(const values& v, indicator, confpro::store::User& u) {
    using confpro::store::detail::int_at;
    u = {};
    u.id = confpro::UserId{int_at(v, 0)};
    u.username = v.get<std::string>(1);
    u.display_name = v.get<std::string>(2);
    u.email = v.get<std::string>(3);
    u.mobile = v.get<std::string>(4);
    u.role = v.get<std::string>(5);
    u.password_hash = v.get<std::string>(6);
    u.phone_account = v.get<std::string>(7, std::string());
    u.phone_pin_hash = v.get<std::string>(8);
    u.phone_default_duration_minutes = static_cast<int>(int_at(v, 9));
    u.phone_default_max_participants = static_cast<int>(int_at(v, 10));
    u.disabled = int_at(v, 11) != 0;
    u.created_at = confpro::from_epoch_ms(int_at(v, 12));
    u.source = v.get<std::string>(13);
    u.caller_numbers = v.get<std::string>(14);
  }
  static void to_base(const confpro::store::User& u, values& v, indicator& ind) {
    v.set("username", u.username);
    v.set("display_name", u.display_name);
    v.set("email", u.email);
    v.set("mobile", u.mobile);
    v.set("role", u.role);
    v.set("password_hash", u.password_hash);
    v.set("phone_account", u.phone_account, u.phone_account.empty() ? i_null : i_ok);
    v.set("phone_pin_hash", u.phone_pin_hash);
    v.set("phone_default_duration", u.phone_default_duration_minutes);
    v.set("phone_default_max_participants", u.phone_default_max_participants);
    v.set("disabled", u.disabled ? 1 : 0);
    v.set("created_at", static_cast<long long>(confpro::to_epoch_ms(u.created_at)));
    v.set("source", u.source);
    v.set("caller_numbers", u.caller_numbers);
    ind = i_ok;
  }
};
}  // namespace soci

namespace confpro::store::detail {

namespace {

const char* const kUserColumns =
    "SELECT id, username, display_name, email, mobile, role, password_hash, phone_account, phone_pin_hash, "
    "phone_default_duration, phone_default_max_participants, disabled, created_at, source, caller_numbers "
    "FROM users ";

std::vector<User> load_users(soci::session& sql, const std::string& where,
                             const std::function<void(soci::statement&)>& bind) {
  std::vector<User> out;
  User row;
  soci::statement st(sql);
  st.exchange(soci::into(row));
  if (bind) bind(st);
  st.alloc();
  st.prepare(kUserColumns + where);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) out.push_back(row);
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
    std::int64_t id = 0;
    soci::statement st(sql);
    st.exchange(soci::use(user));
    st.exchange(soci::into(id));
    st.alloc();
    st.prepare(
        "INSERT INTO users (username, display_name, email, mobile, role, password_hash, phone_account, "
        "phone_pin_hash, phone_default_duration, phone_default_max_participants, disabled, created_at, source, "
        "caller_numbers) "
        "VALUES "
        "(:username, :display_name, :email, :mobile, :role, :password_hash, :phone_account, :phone_pin_hash, "
        ":phone_default_duration, :phone_default_max_participants, :disabled, :created_at, :source, "
        ":caller_numbers) RETURNING id");
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

Result<std::vector<User>> SqlStore::find_users_by_number(const std::string& digits) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::vector<User>{};  // nothing to match, and no LIKE wildcard can come in
  return run<std::vector<User>>("find users by number", [&](soci::session& sql) {
    const std::string pattern = "%" + digits + "%";
    return Result<std::vector<User>>(load_users(
        sql, "WHERE disabled = 0 AND (mobile LIKE :mobile OR caller_numbers LIKE :others) ORDER BY id LIMIT 50",
        [&](soci::statement& st) {
          st.exchange(soci::use(pattern, "mobile"));
          st.exchange(soci::use(pattern, "others"));
        }));
  });
}

Result<std::vector<User>> SqlStore::list_users() {
  return run<std::vector<User>>("list users", [&](soci::session& sql) {
    return Result<std::vector<User>>(load_users(sql, "ORDER BY username", nullptr));
  });
}

Status SqlStore::update_user(const User& user) {
  return run_status("update user", [&](soci::session& sql) -> Status {
    std::int64_t id = user.id.value();
    soci::statement st(sql);
    st.exchange(soci::use(user));
    st.exchange(soci::use(id, "id"));
    st.alloc();
    st.prepare(
        "UPDATE users SET username = :username, display_name = :display_name, email = :email, mobile = "
        ":mobile, "
        "role = :role, password_hash = :password_hash, phone_account = :phone_account, "
        "phone_pin_hash = :phone_pin_hash, phone_default_duration = :phone_default_duration, "
        "phone_default_max_participants = :phone_default_max_participants, disabled = :disabled, "
        "created_at = :created_at, source = :source, caller_numbers = :caller_numbers WHERE id = :id");
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
