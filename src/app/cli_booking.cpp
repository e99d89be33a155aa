// `confpro booking create|list|show|update|delete`.
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/booking_json.h"
#include "app/cli_commands.h"
#include "app/context.h"
#include "common/timezone.h"
#include "domain/booking_rules.h"
#include "web/booking_json.h"

namespace confpro::app {

namespace {

// Flags shared by create and update; each remembers whether it was given.
struct BookingFlags {
  std::string name, owner, number, user_pin, moderator_pin, start, language, join_policy;
  int max_participants = 0, duration = 0, validity_days = 0;
  bool announce_moderator = false, record = false, announce_users = false, listen_only = false,
       wait_for_leader = false;
  std::vector<std::string> invitees;
  bool json = false;
  std::map<std::string, CLI::Option*> given;

  void add(CLI::App* cmd) {
    given["name"] = cmd->add_option("--name", name, "conference name (unique)");
    given["owner"] = cmd->add_option("--owner", owner, "owner's username");
    given["number"] = cmd->add_option("--number", number, "conference number (default: generated)");
    given["max_participants"] =
        cmd->add_option("--max-participants", max_participants, "maximum participants, moderators included");
    given["duration"] = cmd->add_option("--duration", duration, "duration in minutes once opened");
    given["validity_days"] = cmd->add_option("--validity-days", validity_days, "validity window in days");
    given["start"] = cmd->add_option("--start", start, "start of validity, \"YYYY-MM-DD HH:MM\" local time");
    given["user_pin"] = cmd->add_option("--user-pin", user_pin, "participant PIN (default: generated)");
    given["moderator_pin"] = cmd->add_option("--moderator-pin", moderator_pin, "moderator PIN (default: generated)");
    given["language"] = cmd->add_option("--language", language, "prompt language: fr or en");
    given["join_policy"] = cmd->add_option("--join-policy", join_policy, "who may join: pin or allow-list");
    given["announce_moderator"] =
        cmd->add_flag("--announce-moderator,!--no-announce-moderator", announce_moderator, "announce moderators");
    given["record"] = cmd->add_flag("--record,!--no-record", record, "record the conference");
    given["announce_users"] = cmd->add_flag("--announce-users,!--no-announce-users", announce_users, "announce users");
    given["listen_only"] = cmd->add_flag("--listen-only,!--no-listen-only", listen_only, "users only listen");
    given["wait_for_leader"] =
        cmd->add_flag("--wait-for-leader,!--no-wait-for-leader", wait_for_leader, "users wait for a moderator");
    given["invitees"] = cmd->add_option("--invitee", invitees, "invitee: EMAIL, PHONE, EMAIL/PHONE or EMAIL/PHONE/PERSONAL_PIN (repeatable)");
    cmd->add_flag("--json", json, "print JSON");
  }
  bool has(const std::string& k) const { return given.at(k)->count() > 0; }

  Result<domain::BookingDraft> draft(const Config& config) const {
    domain::BookingDraft d;
    if (has("name")) d.name = name;
    if (has("owner")) d.owner = owner;
    if (has("number")) d.number = number;
    if (has("max_participants")) d.max_participants = max_participants;
    if (has("duration")) d.duration_minutes = duration;
    if (has("validity_days")) d.validity_days = validity_days;
    if (has("start")) {
      auto t = parse_local_time(start, config.server.time_zone);
      if (!t) return t.error();
      d.valid_from = *t;
    }
    if (has("user_pin")) d.user_pin = user_pin;
    if (has("moderator_pin")) d.moderator_pin = moderator_pin;
    if (has("language")) d.language = language;
    if (has("join_policy")) d.join_policy = join_policy;
    if (has("announce_moderator")) d.announce_moderator = announce_moderator;
    if (has("record")) d.record = record;
    if (has("announce_users")) d.announce_users = announce_users;
    if (has("listen_only")) d.listen_only = listen_only;
    if (has("wait_for_leader")) d.wait_for_leader = wait_for_leader;
    if (has("invitees")) {
      std::vector<domain::Invitee> list;
      for (const auto& text : invitees) {
        domain::Invitee inv;
        // EMAIL, PHONE, EMAIL/PHONE, or with a third part the invitee's personal PIN: EMAIL/PHONE/PIN
        // (the phone may be empty: EMAIL//PIN).
        auto slash = text.find('/');
        std::string a = text.substr(0, slash);
        std::string b = slash == std::string::npos ? "" : text.substr(slash + 1);
        auto second = b.find('/');
        if (second != std::string::npos) {
          inv.personal_pin = b.substr(second + 1);
          b.resize(second);
        }
        (a.find('@') != std::string::npos ? inv.email : inv.phone) = a;
        if (!b.empty()) inv.phone = b;
        list.push_back(inv);
      }
      d.invitees = list;
    }
    d.created_via = "cli";
    return d;
  }
};

booking::Actor cli_actor() { return {"cli", true, "cli"}; }

int print_booking(const domain::Booking& b, const Config& config, bool json) {
  if (json) {
    std::cout << web::booking_to_json(b, web::BookingJsonFor::kCli, config.server.time_zone).dump(2) << "\n";
  } else {
    std::cout << booking_to_text(b, config.server.time_zone);
  }
  return 0;
}

// ID or conference number.
Result<domain::Booking> find_booking(Context& ctx, const std::string& ref) {
  for (char c : ref)
    if (c < '0' || c > '9') return Error::invalid("booking", "expected an id or a conference number, got '" + ref + "'");
  if (ref.empty()) return Error::invalid("booking", "expected an id or a conference number");
  if (static_cast<int>(ref.size()) == ctx.config.conference.number_length) {
    auto b = ctx.bookings->get_by_number(ref);
    if (b) return b;
  }
  if (ref.size() > 18) return Error::not_found("no booking " + ref);
  auto b = ctx.bookings->get(BookingId{std::stoll(ref)});
  if (!b) return Error::not_found("no booking with id or number " + ref);
  return b;
}

// With [notify.smtp] set, the e-mails of the change just stored leave now (also when no server runs); a
// server running on the same store would send them too, the outbox's claim keeps it to one sender.
void send_notifications(Context& ctx, const Config& config) {
  std::cout.flush();  // what the command printed is out before any wait on the mail server
  std::fflush(stdout);
  deliver_due(*ctx.store, *ctx.clock, config.notify);
}

Result<directory::DirectoryUser> check_owner(Context& ctx, const std::string& owner) {
  auto u = ctx.logins->find(owner);
  if (u) return u;
  if (u.error().code == ErrorCode::kNotFound)
    return Error::invalid("owner", "no user named '" + owner + "' (add one with: confpro user add " + owner + ")");
  return u.error();
}

// The CLI books on behalf of the owner: the owner's booking category decides (B7), as in the console.
booking::Actor owner_actor(const directory::DirectoryUser& owner) {
  return {owner.username, owner.is_admin(), "cli", owner.groups};
}

}  // namespace

void add_booking_commands(CLI::App& app, Runner& selected) {
  auto* booking = app.add_subcommand("booking", "create, list, show, update and delete bookings");
  booking->require_subcommand(1);

  auto create_flags = std::make_shared<BookingFlags>();
  auto* create = booking->add_subcommand("create", "book a conference");
  create_flags->add(create);
  auto account = std::make_shared<std::string>();
  create->add_option("--account", *account, "billing account that pays (priced by [[billing.plans]])");
  create->callback([&selected, create_flags, account] {
    selected = [create_flags, account](const Config& config) {
      auto draft = create_flags->draft(config);
      if (!draft) return fail(draft.error(), create_flags->json);
      if (!account->empty()) draft->account = *account;
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), create_flags->json);
      booking::Actor actor = cli_actor();
      if (draft->owner) {
        auto owner = check_owner(**ctx, *draft->owner);
        if (!owner) return fail(owner.error(), create_flags->json);
        actor = owner_actor(*owner);
      }
      auto b = (*ctx)->bookings->create(*draft, actor);
      if (!b) return fail(b.error(), create_flags->json);
      const int rc = print_booking(*b, config, create_flags->json);
      send_notifications(**ctx, config);
      return rc;
    };
  });

  auto update_flags = std::make_shared<BookingFlags>();
  auto ref = std::make_shared<std::string>();
  auto expected_version = std::make_shared<int>(0);
  auto* update = booking->add_subcommand("update", "change a booking");
  update->add_option("booking", *ref, "id or conference number")->required();
  update->add_option("--expected-version", *expected_version, "refuse if the booking changed since this version");
  update_flags->add(update);
  update->callback([&selected, update_flags, ref, expected_version, update] {
    const bool has_version = update->get_option("--expected-version")->count() > 0;
    selected = [update_flags, ref, expected_version, has_version](const Config& config) {
      auto draft = update_flags->draft(config);
      if (!draft) return fail(draft.error(), update_flags->json);
      draft->created_via.reset();
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), update_flags->json);
      auto current = find_booking(**ctx, *ref);
      if (!current) return fail(current.error(), update_flags->json);
      // An edit is decided on its owner's category; giving it to another owner is an administrator's act.
      booking::Actor actor = cli_actor();
      if (draft->owner) {
        if (auto s = check_owner(**ctx, *draft->owner); !s) return fail(s.error(), update_flags->json);
      }
      if (!draft->owner || *draft->owner == current->owner) {
        auto owner = check_owner(**ctx, current->owner);
        if (owner) actor = owner_actor(*owner);
      }
      std::optional<int> version;
      if (has_version) version = *expected_version;
      auto b = (*ctx)->bookings->update(current->id, *draft, version, actor);
      if (!b) return fail(b.error(), update_flags->json);
      const int rc = print_booking(*b, config, update_flags->json);
      send_notifications(**ctx, config);
      return rc;
    };
  });

  struct ListFlags {
    std::string owner, state, number, name, from, to;
    int limit = 100, offset = 0;
    bool json = false;
  };
  auto lf = std::make_shared<ListFlags>();
  auto* list = booking->add_subcommand("list", "list bookings");
  list->add_option("--owner", lf->owner, "only this owner's");
  list->add_option("--state", lf->state, "scheduled, active or ended");
  list->add_option("--number", lf->number, "conference number prefix");
  list->add_option("--name", lf->name, "name contains");
  list->add_option("--from", lf->from, "valid from on or after \"YYYY-MM-DD HH:MM\"");
  list->add_option("--to", lf->to, "valid from before \"YYYY-MM-DD HH:MM\"");
  list->add_option("--limit", lf->limit, "at most this many (1–1000)")->check(CLI::Range(1, 1000));
  list->add_option("--offset", lf->offset, "skip this many")->check(CLI::NonNegativeNumber);
  list->add_flag("--json", lf->json, "print JSON");
  list->callback([&selected, lf] {
    selected = [lf](const Config& config) {
      store::BookingQuery q;
      q.owner = lf->owner;
      q.number_prefix = lf->number;
      q.name_contains = lf->name;
      q.limit = lf->limit;
      q.offset = lf->offset;
      if (!lf->state.empty()) {
        q.state = domain::booking_state_from_string(lf->state);
        if (!q.state) return fail(Error::invalid("state", "must be scheduled, active or ended"), lf->json);
      }
      for (auto [text, field, out] : {std::tuple{&lf->from, "from", &q.from}, std::tuple{&lf->to, "to", &q.to}}) {
        if (text->empty()) continue;
        auto t = parse_local_time(*text, config.server.time_zone);
        if (!t) return fail(Error::invalid(field, t.error().fields.at(0).message), lf->json);
        *out = *t;
      }
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), lf->json);
      auto page = (*ctx)->bookings->search(q);
      if (!page) return fail(page.error(), lf->json);
      if (lf->json) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& b : page->items) {
          items.push_back(web::booking_to_json(b, web::BookingJsonFor::kCli, config.server.time_zone));
        }
        std::cout << nlohmann::json{{"total", page->total}, {"items", items}}.dump(2) << "\n";
        return 0;
      }
      std::printf("%-6s %-10s %-24s %-12s %-10s %-16s %5s %4s\n", "ID", "NUMBER", "NAME", "OWNER", "STATE",
                  "VALID FROM", "MIN", "MAX");
      for (const auto& b : page->items) {
        std::printf("%-6lld %-10s %-24.24s %-12.12s %-10s %-16s %5d %4d\n", static_cast<long long>(b.id.value()),
                    b.number.c_str(), b.name.c_str(), b.owner.c_str(), domain::to_string(b.state),
                    format_local_time(b.valid_from, config.server.time_zone).c_str(), b.duration_minutes,
                    b.max_participants);
      }
      std::printf("%lld booking(s)\n", static_cast<long long>(page->total));
      return 0;
    };
  });

  auto show_ref = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  auto* show = booking->add_subcommand("show", "show one booking");
  show->add_option("booking", *show_ref, "id or conference number")->required();
  show->add_flag("--json", *show_json, "print JSON");
  show->callback([&selected, show_ref, show_json] {
    selected = [show_ref, show_json](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), *show_json);
      auto b = find_booking(**ctx, *show_ref);
      if (!b) return fail(b.error(), *show_json);
      return print_booking(*b, config, *show_json);
    };
  });

  auto del_ref = std::make_shared<std::string>();
  auto* del = booking->add_subcommand("delete", "delete a booking (scheduled or ended)");
  del->add_option("booking", *del_ref, "id or conference number")->required();
  del->callback([&selected, del_ref] {
    selected = [del_ref](const Config& config) {
      auto ctx = open_context(config);
      if (!ctx) return fail(ctx.error(), false);
      auto b = find_booking(**ctx, *del_ref);
      if (!b) return fail(b.error(), false);
      if (auto s = (*ctx)->bookings->remove(b->id, cli_actor()); !s) return fail(s.error(), false);
      std::printf("deleted booking %lld (%s)\n", static_cast<long long>(b->id.value()), b->number.c_str());
      send_notifications(**ctx, config);
      return 0;
    };
  });
}

}  // namespace confpro::app
