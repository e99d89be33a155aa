// /api/v1/conferences/live: the running conferences (FEATURES.md S2) and their moderation actions, through
// conference::ControlApi. Without a live service every route answers 503.
#include "booking/booking_service.h"
#include "conference/control_api.h"
#include "common/timezone.h"
#include "domain/lifecycle.h"
#include "store/store.h"
#include "web/api_context.h"
#include "web/json_body.h"

namespace confpro::web {

namespace {

HttpResponse no_live_service() {
  return error_response(Error::unavailable("the live conference service is not running"));
}

// The live conference {booking_id} when the caller may act on it. Not live: 404 for an administrator or for
// the organizer's own booking; anything else an organizer names gets not_visible() (403), live or not.
Result<conference::LiveConference> visible_live(const Call& call, ApiContext& ctx) {
  auto id = parse_id(call.params.at("booking_id"));
  if (!id) return Error::invalid("booking_id", "must be a positive integer");
  auto c = ctx.services.control->live_conference(BookingId{*id});
  const Error not_live = Error::not_found("no live conference for this booking");
  if (c) {
    if (!owned_by_caller(call, c->owner)) return not_visible(call, not_live);
    return *c;
  }
  if (call.principal().is_admin()) return not_live;
  auto b = ctx.services.store ? ctx.services.store->get_booking(BookingId{*id}) : Result<domain::Booking>(Error(not_live));
  if (b && b->owner == call.principal().username) return not_live;
  return not_visible(call, not_live);
}

using Action = std::function<Status(const conference::LiveConference&, const Call&)>;

// Registers POST <pattern> running `action` on a visible live conference, auditing it as `name`.
void add_action(Router& router, ApiContext& ctx, const std::string& pattern, const std::string& name,
                Action action) {
  router.add("POST", pattern, Access::kSignedIn, [&ctx, name, action](const Call& call) {
    if (!ctx.services.control) return no_live_service();
    auto c = visible_live(call, ctx);
    if (!c) return error_response(c.error());
    auto st = action(*c, call);
    if (!st) return error_response(st.error());
    auto target = "booking:" + std::to_string(c->booking.value());
    if (call.params.contains("participant_id")) target += " participant:" + call.params.at("participant_id");
    ctx.audit(call, "live." + name, target, "");
    return no_content();
  });
}

Result<ParticipantId> participant_of(const Call& call, const conference::LiveConference& c) {
  auto id = parse_id(call.params.at("participant_id"));
  if (!id) return Error::invalid("participant_id", "must be a positive integer");
  for (const auto& p : c.participants) {
    if (p.id.value() == static_cast<std::uint64_t>(*id)) return p.id;
  }
  return Error::not_found("no such participant in this conference");
}

// An invite refused before anything was dialled: its own code (conference_locked, number_not_allowed, …), the
// status of its kind, and for a number the dial plan refuses, the field.
HttpResponse invite_refused(const conference::InviteResult& r) {
  int status = 409;
  nlohmann::json e = {{"code", r.refused}, {"message", r.message}};
  if (r.refused == "number_not_allowed") {
    status = 400;
    e["fields"] = nlohmann::json::array({{{"field", "number"}, {"message", r.message}}});
  } else if (r.refused == "dial_out_limit") {
    status = 429;
  } else if (r.refused == "dial_out_unavailable") {
    status = 503;
  }
  return json_response(status, {{"error", e}});
}

}  // namespace

void add_live_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/conferences/live", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.control) return no_live_service();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : ctx.services.control->live_conferences()) {
      if (owned_by_caller(call, c.owner)) items.push_back(to_json(c));
    }
    return json_response(200, {{"items", items}});
  });
  router.add("GET", "/api/v1/conferences/live/{booking_id}", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.control) return no_live_service();
    auto c = visible_live(call, ctx);
    if (!c) return error_response(c.error());
    return json_response(200, to_json(*c));
  });

  const std::string base = "/api/v1/conferences/live/{booking_id}";
  for (bool mute : {true, false}) {
    add_action(router, ctx, base + "/participants/{participant_id}/" + (mute ? "mute" : "unmute"),
               mute ? "mute" : "unmute", [&ctx, mute](const conference::LiveConference& c, const Call& call) {
                 auto p = participant_of(call, c);
                 if (!p) return Status(p.error());
                 return ctx.services.control->set_muted(c.booking, *p, mute, call.principal().username);
               });
  }
  add_action(router, ctx, base + "/participants/{participant_id}/eject", "eject",
             [&ctx](const conference::LiveConference& c, const Call& call) {
               auto p = participant_of(call, c);
               if (!p) return Status(p.error());
               return ctx.services.control->eject(c.booking, *p, call.principal().username);
             });
  for (bool lock : {true, false}) {
    add_action(router, ctx, base + (lock ? "/lock" : "/unlock"), lock ? "lock" : "unlock",
               [&ctx, lock](const conference::LiveConference& c, const Call& call) {
                 return ctx.services.control->set_locked(c.booking, lock, call.principal().username);
               });
  }
  add_action(router, ctx, base + "/end", "end", [&ctx](const conference::LiveConference& c, const Call& call) {
    return ctx.services.control->end_conference(c.booking, call.principal().username);
  });

  // Extends a running conference by `minutes` (1–240): its booking's duration grows through the booking
  // service — the same rules (max duration), the same billing (the ledger's hold follows the new price; refused
  // when the account cannot pay) and audit as an edit — and the room takes the new end at once.
  router.add("POST", base + "/extend", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.control) return no_live_service();
    if (!ctx.services.bookings) return error_response(Error::unavailable("the booking service is not running"));
    auto body = JsonBody::parse(call.request.body);
    if (!body) return error_response(body.error());
    auto minutes = body->integer("minutes", 1, 240, true);
    if (auto st = body->finish(); !st) return error_response(st.error());
    auto c = visible_live(call, ctx);
    if (!c) return error_response(c.error());
    auto b = ctx.services.bookings->get(c->booking);
    if (!b) return error_response(b.error());
    domain::BookingDraft draft;
    draft.duration_minutes = b->duration_minutes + static_cast<int>(*minutes);
    const booking::Actor actor = actor_of(call);
    auto updated = ctx.services.bookings->update(b->id, draft, b->version, actor);
    if (!updated) return error_response(updated.error());
    ctx.services.control->booking_changed(updated->id);
    ctx.audit(call, "live.extend", "booking:" + std::to_string(updated->id.value()),
              "+" + std::to_string(*minutes) + " min, duration " + std::to_string(updated->duration_minutes));
    auto end = domain::ends_at(*updated);
    return json_response(200, {{"duration_minutes", updated->duration_minutes},
                               {"ends_at", end ? nlohmann::json(format_iso_utc(*end)) : nlohmann::json(nullptr)}});
  });

  router.add("POST", base + "/invite", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.control) return no_live_service();
    auto body = JsonBody::parse(call.request.body);
    if (!body) return error_response(body.error());
    auto number = body->string("number", true, 32);
    if (number && (number->find_first_not_of("+0123456789") != std::string::npos || number->size() < 2)) {
      body->add_error("number", "must be a phone number: digits with an optional leading +");
    }
    if (auto st = body->finish(); !st) return error_response(st.error());
    auto c = visible_live(call, ctx);
    if (!c) return error_response(c.error());
    auto r = ctx.services.control->invite_by_number(c->booking, *number, call.principal().username);
    if (!r) return error_response(r.error());
    if (!r->refused.empty()) return invite_refused(*r);
    ctx.audit(call, "live.invite", "booking:" + std::to_string(c->booking.value()), "number " + *number);
    return json_response(202, {{"invite_id", r->invite_id}, {"status", r->status}});
  });
}

}  // namespace confpro::web
