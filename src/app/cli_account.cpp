// `confpro account create|show|list|adjust|share` (issue 16 P2): billing accounts and their ledger. Amounts are
// decimal strings ("5.00") in and out; the ledger is append-only (an adjustment is a new line).
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli_commands.h"
#include "app/context.h"
#include "common/timezone.h"
#include "domain/booking_policy.h"
#include "domain/money.h"
#include "web/billing_json.h"

namespace confpro::app {

void add_account_commands(CLI::App& app, Runner& selected) {
  auto* account = app.add_subcommand("account", "billing accounts: create, show, list, adjust, share (issue 16)");
  account->require_subcommand(1);

  struct CreateFlags {
    std::string name, owner, credit = "0", limit = "0", currency = "EUR";
    bool prepaid = false, postpaid = false;
    std::vector<std::string> members;
  };
  auto cf = std::make_shared<CreateFlags>();
  auto* create = account->add_subcommand("create", "open a billing account");
  create->add_option("name", cf->name, "account name (unique)")->required();
  create->add_option("--owner", cf->owner, "the organizer it belongs to")->required();
  create->add_option("--credit", cf->credit, "opening credit, e.g. 50.00");
  create->add_flag("--prepaid", cf->prepaid, "may not go below zero (default)");
  create->add_flag("--postpaid", cf->postpaid, "may go down to -limit");
  create->add_option("--limit", cf->limit, "postpaid credit limit, e.g. 200.00");
  create->add_option("--currency", cf->currency, "ISO 4217 code (default EUR)");
  create->add_option("--member", cf->members,
                     "a username or directory group DN who may also pay with it (repeat; a shared account)");
  create->callback([&selected, cf] {
    selected = [cf](const Config& config) {
      if (cf->prepaid && cf->postpaid) return fail(Error::invalid("postpaid", "--prepaid and --postpaid exclude each other"));
      auto credit = domain::amount_field("credit", cf->credit, false);
      if (!credit) return fail(credit.error());
      auto limit = domain::amount_field("limit", cf->limit, false);
      if (!limit) return fail(limit.error());
      if (!domain::valid_currency(cf->currency))
        return fail(Error::invalid("currency", "must be an ISO 4217 code such as EUR, got '" + cf->currency + "'"));
      if (cf->name.empty() || cf->name.size() > 100)
        return fail(Error::invalid("name", "must be 1 to 100 characters"));
      auto members = domain::account_members(cf->members);
      if (!members) return fail(members.error());
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      if (auto owner = (*ctx)->logins->find(cf->owner); !owner)
        return fail(owner.error().code == ErrorCode::kNotFound
                        ? Error::invalid("owner", "no user named '" + cf->owner + "'")
                        : owner.error());
      const TimePoint now = (*ctx)->clock->now();
      store::BillingAccount a{0,           cf->name, cf->owner, !cf->postpaid, cf->postpaid ? *limit : 0,
                              cf->currency, now,     *members};
      store::LedgerEntry opening{0, cf->name, now, "credit", *credit, 0, {}, "cli", "opening credit"};
      auto made = (*ctx)->store->insert_account(a, opening);
      if (!made) return fail(made.error());
      store::AuditEntry e{0, now, "cli", "account.create", "account:" + cf->name,
                          "owner=" + cf->owner + " credit=" + domain::format_amount(*credit) +
                              (members->empty() ? "" : " members=" + std::to_string(members->size())),
                          "cli"};
      (void)(*ctx)->store->append_audit(e);
      std::printf("account %s created for %s: %s %s %s\n", cf->name.c_str(), cf->owner.c_str(),
                  cf->postpaid ? "postpaid" : "prepaid", domain::format_amount(*credit).c_str(),
                  cf->currency.c_str());
      return 0;
    };
  });

  auto show_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* show = account->add_subcommand("show", "balance, held credit and the latest ledger lines");
  show->add_option("name", *show_name, "account name")->required();
  show->add_flag("--json", *show_json, "print JSON");
  show->callback([&selected, show_name, show_json] {
    selected = [show_name, show_json](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), *show_json);
      auto a = (*ctx)->store->get_account(*show_name);
      if (!a) return fail(a.error(), *show_json);
      auto lines = (*ctx)->store->list_ledger(*show_name, 50);
      if (!lines) return fail(lines.error(), *show_json);
      if (*show_json) {
        nlohmann::json out = web::account_balance_json(*a);
        out["ledger"] = nlohmann::json::array();
        for (const auto& l : *lines)
          out["ledger"].push_back({{"at", format_iso_utc(l.at)},
                                   {"kind", l.kind},
                                   {"amount", domain::format_amount(l.amount)},
                                   {"hold", domain::format_amount(l.hold)},
                                   {"booking", l.booking.valid() ? nlohmann::json(l.booking.value()) : nlohmann::json(nullptr)},
                                   {"actor", l.actor},
                                   {"note", l.note}});
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      std::printf("%s (%s, %s) owner %s\n  balance %s  held %s  available %s\n", a->account.name.c_str(),
                  a->account.prepaid ? "prepaid" : "postpaid", a->account.currency.c_str(),
                  a->account.owner.c_str(), domain::format_amount(a->balance).c_str(),
                  domain::format_amount(a->held).c_str(), domain::format_amount(a->available()).c_str());
      for (const auto& m : a->account.members) std::printf("  shared with %s\n", m.c_str());
      for (const auto& l : *lines)
        std::printf("  %s  %-8s %10s %10s  %s%s\n", format_iso_utc(l.at).c_str(), l.kind.c_str(),
                    domain::format_amount(l.amount).c_str(), domain::format_amount(l.hold).c_str(),
                    l.booking.valid() ? ("booking " + std::to_string(l.booking.value()) + " ").c_str() : "",
                    l.note.c_str());
      return 0;
    };
  });

  auto list_json = std::make_shared<bool>(false);
  auto* list = account->add_subcommand("list", "every billing account with its balance");
  list->add_flag("--json", *list_json, "print JSON");
  list->callback([&selected, list_json] {
    selected = [list_json](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      auto all = (*ctx)->store->list_accounts();
      if (!all) return fail(all.error());
      nlohmann::json out = nlohmann::json::array();
      for (const auto& a : *all) out.push_back(web::account_balance_json(a));
      if (*list_json) {
        std::cout << out.dump(2) << "\n";
      } else {
        for (const auto& a : out)
          std::printf("%-20s %-12s %-8s balance %12s held %12s\n", a["name"].get<std::string>().c_str(),
                      a["owner"].get<std::string>().c_str(), a["type"].get<std::string>().c_str(),
                      a["balance"].get<std::string>().c_str(), a["held"].get<std::string>().c_str());
      }
      return 0;
    };
  });

  struct ShareFlags {
    std::string name;
    std::vector<std::string> members;
    bool owner_only = false;
  };
  auto sf = std::make_shared<ShareFlags>();
  auto* share = account->add_subcommand(
      "share", "set who besides the owner may pay with an account and see it: usernames, group DNs (audited)");
  share->add_option("name", sf->name, "account name")->required();
  share->add_option("--member", sf->members, "a username or directory group DN (repeat)");
  share->add_flag("--owner-only", sf->owner_only, "share it with nobody");
  share->callback([&selected, sf] {
    selected = [sf](const Config& config) {
      if (sf->members.empty() == !sf->owner_only)
        return fail(Error::invalid("member", "give --member (one or more) or --owner-only"));
      auto members = domain::account_members(sf->members);
      if (!members) return fail(members.error());
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      std::string listed;
      for (const auto& m : *members) listed += (listed.empty() ? "" : "; ") + m;
      store::AuditEntry audit{0,    (*ctx)->clock->now(), "cli", "account.members", "account:" + sf->name,
                              listed.empty() ? "owner only" : listed, "cli"};
      if (auto st = (*ctx)->store->set_account_members(sf->name, *members, audit); !st) return fail(st.error());
      std::printf("%s shared with %s\n", sf->name.c_str(), listed.empty() ? "nobody (owner only)" : listed.c_str());
      return 0;
    };
  });

  struct AdjustFlags {
    std::string name, amount, reason;
  };
  auto af = std::make_shared<AdjustFlags>();
  auto* adjust = account->add_subcommand("adjust", "credit (+) or debit (-) an account, with a reason (audited)");
  adjust->add_option("name", af->name, "account name")->required();
  adjust->add_option("amount", af->amount, "e.g. 20.00 or -5.00")->required()->allow_extra_args(false);
  adjust->add_option("--reason", af->reason, "why (kept in the ledger and the audit log)")->required();
  adjust->callback([&selected, af] {
    selected = [af](const Config& config) {
      auto amount = domain::amount_field("amount", af->amount, true);
      if (!amount) return fail(amount.error());
      if (*amount == 0) return fail(Error::invalid("amount", "must not be zero"));
      if (af->reason.empty()) return fail(Error::invalid("reason", "is required"));
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error());
      const TimePoint now = (*ctx)->clock->now();
      store::LedgerEntry line{0, af->name, now, "adjust", *amount, 0, {}, "cli", af->reason};
      store::AuditEntry audit{0, now, "cli", "account.adjust", "account:" + af->name,
                              domain::format_amount(*amount) + ": " + af->reason, "cli"};
      auto stored = (*ctx)->store->append_ledger(line, audit);
      if (!stored) return fail(stored.error());
      auto a = (*ctx)->store->get_account(af->name);
      if (!a) return fail(a.error());
      std::printf("%s adjusted by %s: balance %s, available %s\n", af->name.c_str(),
                  domain::format_amount(*amount).c_str(), domain::format_amount(a->balance).c_str(),
                  domain::format_amount(a->available()).c_str());
      return 0;
    };
  });
}

}  // namespace confpro::app
