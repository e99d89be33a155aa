// `confpro user add|list|passwd|del`.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli_commands.h"
#include "app/context.h"
#include "directory/password.h"

namespace confpro::app {

namespace {

void audit(Context& ctx, const std::string& action, const std::string& target) {
  store::AuditEntry e;
  e.at = ctx.clock->now();
  e.actor = "cli";
  e.action = action;
  e.target = target;
  e.source = "cli";
  (void)ctx.store->append_audit(e);
}

}  // namespace

void add_user_commands(CLI::App& app, Runner& selected) {
  auto* user = app.add_subcommand("user", "manage local accounts");
  user->require_subcommand(1);

  struct AddFlags {
    directory::NewUser u;
    bool generated = false;
  };
  auto af = std::make_shared<AddFlags>();
  auto* add = user->add_subcommand("add", "add an account (prints a generated password unless --password)");
  add->add_option("username", af->u.username, "login name")->required();
  add->add_option("--password", af->u.password, "password (at least 8 characters; default: generated)");
  add->add_option("--role", af->u.role, "admin or organizer")->check(CLI::IsMember({"admin", "organizer"}));
  add->add_option("--display-name", af->u.display_name, "full name");
  add->add_option("--email", af->u.email, "e-mail address (notifications)");
  add->add_option("--mobile", af->u.mobile, "mobile number (SMS)");
  add->add_option("--phone-account", af->u.phone_account, "digits identifying the user on the phone");
  add->add_option("--phone-pin", af->u.phone_pin, "numeric PIN for creating conferences by phone");
  add->callback([&selected, af] {
    selected = [af](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      directory::NewUser u = af->u;
      const bool generated = u.password.empty();
      if (generated) u.password = directory::generate_password();
      auto added = (*ctx)->directory->add_user(u);
      if (!added) return fail(added.error());
      audit(**ctx, "user.add", "user:" + u.username);
      std::printf("added %s (%s)\n", u.username.c_str(), u.role.c_str());
      if (generated) std::printf("password: %s\n", u.password.c_str());
      return 0;
    };
  });

  auto list_json = std::make_shared<bool>(false);
  auto* list = user->add_subcommand("list", "list accounts");
  list->add_flag("--json", *list_json, "print JSON");
  list->callback([&selected, list_json] {
    selected = [list_json](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      auto users = (*ctx)->store->list_users();
      if (!users) return fail(users.error());
      if (*list_json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& u : *users)
          out.push_back({{"username", u.username}, {"display_name", u.display_name}, {"role", u.role},
                         {"email", u.email}, {"mobile", u.mobile}, {"phone_account", u.phone_account},
                         {"disabled", u.disabled}, {"source", u.source}});
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      std::printf("%-20s %-10s %-6s %-28s %-14s %s\n", "USERNAME", "ROLE", "SOURCE", "E-MAIL", "PHONE ACCOUNT", "");
      for (const auto& u : *users)
        std::printf("%-20s %-10s %-6s %-28s %-14s %s\n", u.username.c_str(), u.role.c_str(), u.source.c_str(),
                    u.email.c_str(), u.phone_account.c_str(), u.disabled ? "disabled" : "");
      return 0;
    };
  });

  struct PasswdFlags {
    std::string username, password;
  };
  auto pf = std::make_shared<PasswdFlags>();
  auto* passwd = user->add_subcommand("passwd", "set a new password (prints a generated one unless --password)");
  passwd->add_option("username", pf->username, "login name")->required();
  passwd->add_option("--password", pf->password, "new password (default: generated)");
  passwd->callback([&selected, pf] {
    selected = [pf](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      std::string password = pf->password.empty() ? directory::generate_password() : pf->password;
      if (auto s = (*ctx)->directory->set_password(pf->username, password); !s) return fail(s.error());
      audit(**ctx, "user.passwd", "user:" + pf->username);
      std::printf("password changed for %s\n", pf->username.c_str());
      if (pf->password.empty()) std::printf("password: %s\n", password.c_str());
      return 0;
    };
  });

  auto del_name = std::make_shared<std::string>();
  auto* del = user->add_subcommand("del", "delete an account");
  del->add_option("username", *del_name, "login name")->required();
  del->callback([&selected, del_name] {
    selected = [del_name](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      if (auto s = (*ctx)->directory->remove_user(*del_name); !s) return fail(s.error());
      audit(**ctx, "user.del", "user:" + *del_name);
      std::printf("deleted %s\n", del_name->c_str());
      return 0;
    };
  });
}

}  // namespace confpro::app
