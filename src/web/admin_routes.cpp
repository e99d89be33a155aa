// Administrators only: /api/v1/users, /api/v1/access-numbers, /api/v1/audit. Every change is audited.
#include <tuple>

#include "booking/booking_service.h"
#include "common/log.h"
#include "common/timezone.h"
#include "conference/control_api.h"
#include "directory/chain_directory.h"
#include "directory/local_directory.h"
#include "store/store.h"
#include "web/api_context.h"
#include "web/json_body.h"

namespace confpro::web {

namespace {

nlohmann::json user_json(const store::User& u) {
  return {{"id", u.id.value()},       {"username", u.username},         {"display_name", u.display_name},
          {"email", u.email},         {"mobile", u.mobile},             {"role", u.role},
          {"phone_account", u.phone_account}, {"has_phone_pin", !u.phone_pin_hash.empty()},
          {"disabled", u.disabled}, {"created_at", format_iso_utc(u.created_at)}, {"source", u.source}};
}

// The chain `confpro serve` gives (directory/chain_directory.h); null for a bare directory (unit tests).
directory::ChainDirectory* chain_directory(ApiContext& ctx) {
  return dynamic_cast<directory::ChainDirectory*>(ctx.services.directory);
}

// The local accounts: the directory itself, or the local one inside the chain.
directory::LocalDirectory* local_directory(ApiContext& ctx) {
  if (auto* chain = chain_directory(ctx)) return &chain->local();
  return dynamic_cast<directory::LocalDirectory*>(ctx.services.directory);
}

directory::LdapDirectory* ldap_directory(ApiContext& ctx) {
  auto* chain = chain_directory(ctx);
  return chain ? chain->ldap() : nullptr;
}

// GET /api/v1/directory/status: each configured LDAP server, contacted now (connect, StartTLS, service bind).
HttpResponse directory_status(ApiContext& ctx) {
  auto* ldap = ldap_directory(ctx);
  nlohmann::json servers = nlohmann::json::array();
  if (ldap) {
    for (const auto& s : ldap->probe())
      servers.push_back({{"uri", s.uri}, {"reachable", s.reachable}, {"last_error", s.last_error}});
  }
  nlohmann::json order = nlohmann::json::array();
  if (auto* chain = chain_directory(ctx)) order = chain->order();
  return json_response(200, {{"ldap_configured", ldap != nullptr}, {"order", order}, {"servers", servers}});
}

// POST /api/v1/directory/test-login: what a login with these credentials would give (user, groups, role),
// through the same chain as a real login, without a session. Audited (not the password).
HttpResponse directory_test_login(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto username = body->string("username", true, 64);
  auto password = body->string("password", true, 256);
  if (auto st = body->finish(); !st) return error_response(st.error());
  // Through the same chain as a real login, but a user seen for the first time is not provisioned by a test.
  auto* chain = chain_directory(ctx);
  auto user = chain ? chain->try_login(*username, *password) : ctx.services.directory->authenticate(*username, *password);
  ctx.audit(call, "directory.test_login", "user:" + *username, user ? "ok" : user.error().message);
  if (!user) return error_response(user.error());
  return json_response(200, {{"username", user->username}, {"display_name", user->display_name},
                             {"email", user->email}, {"mobile", user->mobile}, {"role", user->role},
                             {"source", user->source}, {"groups", user->groups}});
}

// GET/PUT /api/v1/session/phone-access: the signed-in user's own phone account and PIN (FEATURES.md I3), for
// creating conferences by phone. An LDAP user sets theirs here (the directory holds no phone PINs).
nlohmann::json phone_access_json(const store::User& u) {
  return {{"phone_account", u.phone_account}, {"has_phone_pin", !u.phone_pin_hash.empty()}};
}

HttpResponse own_phone_access(const Call& call, ApiContext& ctx) {
  auto u = ctx.services.store->find_user(call.principal().username);
  if (!u) return error_response(u.error());
  return json_response(200, phone_access_json(*u));
}

HttpResponse set_own_phone_access(const Call& call, ApiContext& ctx, directory::LocalDirectory& dir) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto phone_account = body->string("phone_account", true, 32);  // "" = no phone access
  auto phone_pin = body->string("phone_pin", false, 32);        // "" or absent = keep the stored PIN
  if (auto st = body->finish(); !st) return error_response(st.error());
  const std::string& me = call.principal().username;
  if (auto st = dir.set_phone_access(me, phone_account, phone_pin); !st) return error_response(st.error());
  auto u = ctx.services.store->find_user(me);
  if (!u) return error_response(u.error());
  ctx.audit(call, "user.phone_access", "user:" + me,
            phone_pin && !phone_pin->empty() ? "account and PIN set" : "account set");
  return json_response(200, phone_access_json(*u));
}

HttpResponse not_local() {
  return error_response(
      Error::precondition("users are managed in the external directory").with_reason("external_directory"));
}

// A user who owns upcoming or running conferences is not deleted (issue 12 item 13): their participants still
// dial in, and the bookings would have an owner nobody can log in as. The operator gives those bookings to
// someone else (Future → Edit → owner) or deletes them, or disables the account instead. Past conferences
// keep the username as written; they do not block.
std::optional<HttpResponse> refuse_owner_of_bookings(ApiContext& ctx, const std::string& username) {
  if (!ctx.services.bookings) return std::nullopt;
  std::int64_t owned = 0;
  for (auto state : {domain::BookingState::kScheduled, domain::BookingState::kActive}) {
    store::BookingQuery q;
    q.owner = username;
    q.state = state;
    q.limit = 1;
    auto page = ctx.services.bookings->search(q);
    if (!page) return error_response(page.error());
    owned += page->total;
  }
  if (owned == 0) return std::nullopt;
  return error_response(Error::precondition(username + " owns " + std::to_string(owned) +
                                            " upcoming or running conference(s): give them to another owner or "
                                            "delete them first, or disable the account instead")
                            .with_reason("user_owns_bookings", {{"username", username}, {"count", owned}}));
}

bool valid_role(const std::string& r) { return r == "admin" || r == "organizer"; }

void add_role_error(JsonBody& body) {
  body.add_error("role", "must be admin or organizer", "one_of", {{"allowed", "admin, organizer"}});
}

HttpResponse create_user(const Call& call, ApiContext& ctx) {
  auto* dir = local_directory(ctx);
  if (!dir) return not_local();
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  directory::NewUser u;
  u.username = body->string("username", true, 64).value_or("");
  u.password = body->string("password", true, 256).value_or("");
  u.display_name = body->string("display_name", false, 200).value_or("");
  u.email = body->string("email", false, 200).value_or("");
  u.mobile = body->string("mobile", false, 32).value_or("");
  u.role = body->string("role", false, 16).value_or("organizer");
  if (!valid_role(u.role)) add_role_error(*body);
  u.phone_account = body->string("phone_account", false, 32).value_or("");
  u.phone_pin = body->string("phone_pin", false, 32).value_or("");
  if (auto st = body->finish(); !st) return error_response(st.error());
  auto added = dir->add_user(u);
  if (!added) return error_response(added.error());
  ctx.audit(call, "user.add", "user:" + u.username, "role " + u.role);
  return json_response(201, user_json(*added));
}

HttpResponse update_user(const Call& call, ApiContext& ctx) {
  auto* dir = local_directory(ctx);
  if (!dir) return not_local();
  auto user = ctx.services.store->find_user(call.params.at("username"));
  if (!user) return error_response(user.error());
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  auto display_name = body->string("display_name", false, 200);
  auto email = body->string("email", false, 200);
  auto mobile = body->string("mobile", false, 32);
  auto role = body->string("role", false, 16);
  if (role && !valid_role(*role)) add_role_error(*body);
  auto disabled = body->boolean("disabled");
  auto password = body->string("password", false, 256);
  auto phone_account = body->string("phone_account", false, 32);  // "" = no phone access
  auto phone_pin = body->string("phone_pin", false, 32);          // "" or absent = keep the stored PIN
  if (auto st = body->finish(); !st) return error_response(st.error());
  if (user->username == call.principal().username && ((role && *role != "admin") || (disabled && *disabled))) {
    return error_response(
        Error::precondition("you cannot remove your own administrator rights").with_reason("own_admin_rights"));
  }
  // A directory (LDAP) user's role, name, mail and mobile come from the directory and are refreshed at each
  // login: a change here would be silently undone, so it is refused (the same values, as a form resends, pass).
  if (user->source != "local") {
    for (const auto& [field, value, stored] :
         {std::tuple{"role", &role, &user->role}, {"display_name", &display_name, &user->display_name},
          {"email", &email, &user->email}, {"mobile", &mobile, &user->mobile}}) {
      if (*value && **value != *stored) {
        return error_response(Error::precondition(std::string("the ") + field + " of a directory user comes from the " +
                                                  "directory (" + user->source + ") and is changed there")
                                  .with_reason("external_directory"));
      }
    }
  }
  if (phone_account || (phone_pin && !phone_pin->empty())) {
    if (auto st = dir->set_phone_access(user->username, phone_account, phone_pin); !st) return error_response(st.error());
  }
  if (password) {
    if (auto st = dir->set_password(user->username, *password); !st) return error_response(st.error());
  }
  auto fresh = ctx.services.store->find_user(user->username);
  if (!fresh) return error_response(fresh.error());
  store::User u = *fresh;
  if (display_name) u.display_name = *display_name;
  if (email) u.email = *email;
  if (mobile) u.mobile = *mobile;
  if (role) u.role = *role;
  if (disabled) u.disabled = *disabled;
  if (auto st = ctx.services.store->update_user(u); !st) return error_response(st.error());
  if ((disabled && *disabled) || password || (role && *role != fresh->role)) ctx.sessions.remove_user(u.username);
  std::string changed;
  for (const auto& [name, set] : {std::pair{"display_name", display_name.has_value()}, {"email", email.has_value()},
                                  {"mobile", mobile.has_value()}, {"role", role.has_value()},
                                  {"disabled", disabled.has_value()}, {"password", password.has_value()},
                                  {"phone_account", phone_account.has_value()},
                                  {"phone_pin", phone_pin && !phone_pin->empty()}}) {
    if (set) changed += (changed.empty() ? "" : ", ") + std::string(name);
  }
  ctx.audit(call, "user.update", "user:" + u.username, "changed: " + changed);
  return json_response(200, user_json(u));
}

// Calls are routed from the store's access numbers (conference/access_numbers.h): once changed there, the
// conference service reloads them before the API answers, so the next call already reaches the new list. The
// change is stored either way; a failed reload is logged (the previous list stays routed until the next one).
void reroute_access_numbers(ApiContext& ctx) {
  if (!ctx.services.control) return;
  if (auto st = ctx.services.control->access_numbers_changed(); !st)
    log::get("web")->warn("access numbers changed but not reloaded for calls: {}", st.error().message);
}

HttpResponse upsert_access_number(const Call& call, ApiContext& ctx) {
  auto body = JsonBody::parse(call.request.body);
  if (!body) return error_response(body.error());
  store::AccessNumber n;
  n.number = body->string("number", true, 32).value_or("");
  if (!n.number.empty() && n.number.find_first_not_of("+0123456789") != std::string::npos) {
    body->add_error("number", "must contain digits only", "phone_digits_only");
  }
  n.label = body->string("label", false, 100).value_or("");
  n.kind = body->string("kind", false, 16).value_or("local");
  if (n.kind != "local" && n.kind != "toll-free") body->add_error("kind", "must be local or toll-free", "one_of", {{"allowed", "local, toll-free"}});
  auto lang = body->string("language", false, 8).value_or("fr");
  auto parsed_lang = domain::language_from_string(lang);
  if (!parsed_lang) body->add_error("language", "must be fr or en", "one_of", {{"allowed", "fr, en"}});
  if (auto st = body->finish(); !st) return error_response(st.error());
  n.language = *parsed_lang;
  if (auto st = ctx.services.store->upsert_access_number(n); !st) return error_response(st.error());
  ctx.audit(call, "access_number.upsert", "access_number:" + n.number, n.label);
  reroute_access_numbers(ctx);
  return json_response(200, {{"number", n.number}, {"label", n.label}, {"kind", n.kind},
                             {"language", domain::to_string(n.language)}});
}

}  // namespace

void add_admin_routes(Router& router, ApiContext& ctx) {
  // GET /api/v1/nodes: every node's last heartbeat and load (issue 18): "up" when it beat in the last 5 s.
  router.add("GET", "/api/v1/nodes", Access::kAdmin, [&ctx](const Call&) {
    auto beats = ctx.services.store->list_node_beats();
    if (!beats) return error_response(beats.error());
    const TimePoint now = ctx.now();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& b : *beats)
      items.push_back({{"node", b.node},
                       {"last_seen", format_iso_utc(b.at)},
                       {"up", now - b.at <= std::chrono::seconds(5)},
                       {"conferences", b.conferences},
                       {"participants", b.participants}});
    return json_response(200, {{"items", items}});
  });
  router.add("GET", "/api/v1/users", Access::kAdmin, [&ctx](const Call&) {
    auto users = ctx.services.store->list_users();
    if (!users) return error_response(users.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& u : *users) items.push_back(user_json(u));
    return json_response(200, {{"items", items}});
  });
  router.add("POST", "/api/v1/users", Access::kAdmin, [&ctx](const Call& c) { return create_user(c, ctx); });
  router.add("PATCH", "/api/v1/users/{username}", Access::kAdmin,
             [&ctx](const Call& c) { return update_user(c, ctx); });
  router.add("DELETE", "/api/v1/users/{username}", Access::kAdmin, [&ctx](const Call& call) {
    auto* dir = local_directory(ctx);
    if (!dir) return not_local();
    const auto& name = call.params.at("username");
    if (name == call.principal().username) {
      return error_response(Error::precondition("you cannot delete yourself").with_reason("delete_self"));
    }
    if (auto refused = refuse_owner_of_bookings(ctx, name)) return *refused;
    if (auto st = dir->remove_user(name); !st) return error_response(st.error());
    ctx.sessions.remove_user(name);
    ctx.audit(call, "user.remove", "user:" + name, "");
    return no_content();
  });

  router.add("GET", "/api/v1/session/phone-access", Access::kSignedIn,
             [&ctx](const Call& c) { return own_phone_access(c, ctx); });
  router.add("PUT", "/api/v1/session/phone-access", Access::kSignedIn, [&ctx](const Call& c) {
    auto* dir = local_directory(ctx);
    if (!dir) return not_local();
    return set_own_phone_access(c, ctx, *dir);
  });
  router.add("GET", "/api/v1/directory/status", Access::kAdmin,
             [&ctx](const Call&) { return directory_status(ctx); });
  router.add("POST", "/api/v1/directory/test-login", Access::kAdmin,
             [&ctx](const Call& c) { return directory_test_login(c, ctx); });

  router.add("GET", "/api/v1/access-numbers", Access::kSignedIn, [&ctx](const Call&) {
    auto list = ctx.services.store->list_access_numbers();
    if (!list) return error_response(list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& n : *list) {
      items.push_back({{"number", n.number}, {"label", n.label}, {"kind", n.kind},
                       {"language", domain::to_string(n.language)}});
    }
    return json_response(200, {{"items", items}});
  });
  router.add("POST", "/api/v1/access-numbers", Access::kAdmin,
             [&ctx](const Call& c) { return upsert_access_number(c, ctx); });
  router.add("DELETE", "/api/v1/access-numbers/{number}", Access::kAdmin, [&ctx](const Call& call) {
    const auto& number = call.params.at("number");
    if (auto st = ctx.services.store->delete_access_number(number); !st) return error_response(st.error());
    ctx.audit(call, "access_number.remove", "access_number:" + number, "");
    reroute_access_numbers(ctx);
    return no_content();
  });

  router.add("GET", "/api/v1/audit", Access::kAdmin, [&ctx](const Call& call) {
    store::AuditQuery q;
    q.actor = call.request.param("actor");
    q.target = call.request.param("target");
    std::vector<FieldError> errors;
    read_paging_params(call.request, q.limit, q.offset, errors);
    if (!errors.empty()) return error_response(Error::invalid_fields(errors));
    auto page = ctx.services.store->list_audit(q);
    if (!page) return error_response(page.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : page->items) {
      items.push_back({{"id", e.id}, {"at", format_iso_utc(e.at)}, {"actor", e.actor}, {"action", e.action},
                       {"target", e.target}, {"details", e.details}, {"source", e.source}});
    }
    return json_response(200, {{"items", items}, {"total", page->total}});
  });
}

}  // namespace confpro::web
