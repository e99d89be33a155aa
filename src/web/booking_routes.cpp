// /api/v1/bookings: search, create, read, edit, delete (FEATURES.md B1, B2, B6, S1, S4).
#include "booking/booking_service.h"
#include "common/timezone.h"
#include "conference/control_api.h"
#include "web/api_context.h"
#include "web/booking_json.h"

namespace confpro::web {

namespace {

HttpResponse no_booking_service() {
  return error_response(Error::unavailable("the booking service is not running").with_reason("service_down"));
}

// The booking named by {id} when the caller may see it: 400 bad id; otherwise not_visible() (403 for an
// organizer, whether it is another organizer's or missing; 404 for an administrator).
Result<domain::Booking> visible_booking(const Call& call, ApiContext& ctx) {
  auto id = parse_id(call.params.at("id"));
  if (!id) return Error::invalid("id", "must be a positive integer", "positive_integer");
  auto b = ctx.services.bookings->get(BookingId{*id});
  if (!b && b.error().code != ErrorCode::kNotFound) return b.error();
  if (!b || !owned_by_caller(call, b->owner))
    return not_visible(call, Error::not_found("no such booking").with_reason("booking_not_found"));
  return b;
}

std::optional<store::BookingSort> sort_from(const std::string& s) {
  if (s.empty() || s == "valid_from") return store::BookingSort::kValidFrom;
  if (s == "created_at") return store::BookingSort::kCreatedAt;
  if (s == "name") return store::BookingSort::kName;
  if (s == "number") return store::BookingSort::kNumber;
  if (s == "owner") return store::BookingSort::kOwner;
  if (s == "state") return store::BookingSort::kState;
  return std::nullopt;
}

// Reads limit/offset: limit 1..1000 [50], offset >= 0 [0].
void read_paging(const HttpRequest& r, int& limit, int& offset, std::vector<FieldError>& errors) {
  auto l = r.param("limit");
  auto o = r.param("offset");
  if (!l.empty()) {
    auto v = parse_id(l);
    if (!v || *v > 1000)
      errors.emplace_back("limit", "must be an integer from 1 to 1000", "range",
                          ErrorParams{{"min", 1}, {"max", 1000}});
    else limit = static_cast<int>(*v);
  }
  if (!o.empty()) {
    auto v = o == "0" ? std::optional<std::int64_t>(0) : parse_id(o);
    if (!v || *v > 100000000)
      errors.emplace_back("offset", "must be an integer >= 0", "range",
                          ErrorParams{{"min", 0}, {"max", 100000000}});
    else offset = static_cast<int>(*v);
  }
}

// GET /api/v1/me/policy: the caller's booking category (B7) and what it allows — what the booking form
// offers.
HttpResponse my_policy(const Call& call, ApiContext& ctx) {
  const booking::Actor actor = actor_of(call);
  const auto category = ctx.services.bookings->category_of(actor);
  const auto limits = ctx.services.bookings->limits_for(actor);
  auto decision = ctx.services.bookings->precheck(actor);
  if (!decision) return error_response(decision.error());
  // A billed category books when it names the account that pays, once tariff plans price it (issue 16).
  const bool account_required = decision->kind == domain::Decision::Kind::kNeedsPayment &&
                                !ctx.services.bookings->options().plans.empty();
  nlohmann::json out = {{"category", category.name},
                        {"mode", domain::to_string(category.booking)},
                        {"limited", !actor.admin},
                        {"may_book", decision->allowed() || account_required},
                        {"account_required", account_required},
                        {"limits",
                         {{"min_duration_minutes", limits.min_duration_minutes},
                          {"max_duration_minutes", limits.max_duration_minutes},
                          {"default_duration_minutes", limits.default_duration_minutes},
                          {"max_participants", limits.max_participants},
                          {"default_max_participants", limits.default_max_participants},
                          {"max_validity_days", limits.max_validity_days},
                          {"default_validity_days", limits.default_validity_days},
                          {"max_active_bookings", actor.admin ? 0 : category.max_active_bookings},
                          {"recording_allowed", actor.admin || category.recording}}}};
  // Why it may not book now, in the error shape a refused POST /api/v1/bookings would give.
  if (!decision->allowed() && !account_required) out["refusal"] = error_json(domain::to_error(*decision))["error"];
  return json_response(200, out);
}

}  // namespace

// Shared by the history routes: a time given as a query parameter (ISO 8601, "YYYY-MM-DD HH:MM" or a date
// "YYYY-MM-DD" = its midnight, both in the console's zone).
std::optional<TimePoint> parse_query_time(const std::string& text, const std::string& zone, bool end_of_day) {
  if (text.find('T') != std::string::npos) {
    auto t = parse_iso_time(text);
    return t ? std::optional<TimePoint>(*t) : std::nullopt;
  }
  const bool date_only = text.size() == 10;
  auto t = parse_local_time(date_only ? text + " 00:00" : text, zone);
  if (!t) return std::nullopt;
  if (date_only && end_of_day) {
    // The next local midnight (a day is 23–25 h around DST changes).
    auto next = parse_local_time(format_local_time(*t + std::chrono::hours(36), zone).substr(0, 10) + " 00:00", zone);
    if (next) return *next;
  }
  return *t;
}

void read_paging_params(const HttpRequest& r, int& limit, int& offset, std::vector<FieldError>& errors) {
  read_paging(r, limit, offset, errors);
}

void add_booking_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/bookings", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    const auto& r = call.request;
    std::vector<FieldError> errors;
    store::BookingQuery q;
    q.number_prefix = r.param("number");
    q.name_contains = r.param("name");
    q.owner = r.param("owner");
    if (q.number_prefix.size() > 32)
      errors.emplace_back("number", "too long", "too_long", ErrorParams{{"max", 32}});
    if (q.name_contains.size() > 200)
      errors.emplace_back("name", "too long", "too_long", ErrorParams{{"max", 200}});
    if (auto s = r.param("state"); !s.empty()) {
      q.state = domain::booking_state_from_string(s);
      if (!q.state)
        errors.emplace_back("state", "must be scheduled, active or ended", "one_of",
                            ErrorParams{{"allowed", "scheduled, active, ended"}});
    }
    for (const char* f : {"from", "to"}) {
      if (auto s = r.param(f); !s.empty()) {
        auto t = parse_query_time(s, ctx.options.time_zone, std::string(f) == "to");
        if (!t) errors.emplace_back(f, "must be a date (YYYY-MM-DD) or an ISO 8601 time", "date_format");
        (std::string(f) == "from" ? q.from : q.to) = t;
      }
    }
    if (q.from && q.to && *q.to <= *q.from) errors.emplace_back("to", "must be after from", "after_from");
    auto sort = sort_from(r.param("sort"));
    if (!sort) {
      errors.emplace_back("sort", "must be valid_from, created_at, name, number, owner or state", "one_of",
                          ErrorParams{{"allowed", "valid_from, created_at, name, number, owner, state"}});
    } else
      q.sort = *sort;
    auto order = r.param("order", "asc");
    if (order != "asc" && order != "desc") {
      errors.emplace_back("order", "must be asc or desc", "one_of", ErrorParams{{"allowed", "asc, desc"}});
    }
    q.descending = order == "desc";
    read_paging(r, q.limit, q.offset, errors);
    if (!errors.empty()) return error_response(Error::invalid_fields(errors));
    if (!call.principal().is_admin()) {
      if (!q.owner.empty() && q.owner != call.principal().username) {
        return error_response(
            Error::denied("organizers see only their own bookings").with_reason("own_bookings_only"));
      }
      q.owner = call.principal().username;
    }
    auto page = ctx.services.bookings->search(q);
    if (!page) return error_response(page.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& b : page->items) items.push_back(booking_to_json(b));
    return json_response(200, {{"items", items}, {"total", page->total}, {"limit", q.limit}, {"offset", q.offset}});
  });

  router.add("GET", "/api/v1/me/policy", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    return my_policy(call, ctx);
  });

  router.add("POST", "/api/v1/bookings", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    auto req = draft_from_json(call.request.body, true, ctx.options.time_zone);
    if (!req) return error_response(req.error());
    if (!req->draft.owner || req->draft.owner->empty()) req->draft.owner = call.principal().username;
    if (!call.principal().is_admin() && *req->draft.owner != call.principal().username) {
      return error_response(
          Error::denied("organizers may book only for themselves").with_reason("own_bookings_only"));
    }
    auto b = ctx.services.bookings->create(req->draft, actor_of(call));
    if (!b) return error_response(b.error());
    auto r = json_response(201, booking_to_json(*b));
    r.add_header("Location", "/api/v1/bookings/" + std::to_string(b->id.value()));
    return r;
  });

  router.add("GET", "/api/v1/bookings/{id}", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    auto b = visible_booking(call, ctx);
    if (!b) return error_response(b.error());
    return json_response(200, booking_to_json(*b));
  });

  router.add("PATCH", "/api/v1/bookings/{id}", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    auto b = visible_booking(call, ctx);
    if (!b) return error_response(b.error());
    auto req = draft_from_json(call.request.body, false, ctx.options.time_zone);
    if (!req) return error_response(req.error());
    if (!call.principal().is_admin() && req->draft.owner && *req->draft.owner != b->owner) {
      return error_response(
          Error::denied("only administrators may change the owner").with_reason("admin_only"));
    }
    auto updated = ctx.services.bookings->update(b->id, req->draft, req->version, actor_of(call));
    if (!updated) return error_response(updated.error());
    // A running conference takes its new duration (extended or shortened live) without waiting for a store write.
    if (ctx.services.control) ctx.services.control->booking_changed(updated->id);
    return json_response(200, booking_to_json(*updated));
  });

  router.add("DELETE", "/api/v1/bookings/{id}", Access::kSignedIn, [&ctx](const Call& call) {
    if (!ctx.services.bookings) return no_booking_service();
    auto b = visible_booking(call, ctx);
    if (!b) return error_response(b.error());
    // S4: deleting an active conference ends it first — also a room whose callers wait for the leader — so its
    // session and connections are closed and written; the booking is then only marked deleted (issue 12 item 8).
    if (ctx.services.control && ctx.services.control->live_conference(b->id)) {
      auto st = ctx.services.control->end_conference(b->id, call.principal().username);
      if (!st && st.error().code != ErrorCode::kNotFound) return error_response(st.error());
    }
    if (b->state == domain::BookingState::kActive) {
      auto ended = ctx.services.bookings->end(b->id, domain::EndReason::kEndedByAdmin, actor_of(call));
      if (!ended && ended.error().code != ErrorCode::kFailedPrecondition) return error_response(ended.error());
    }
    auto st = ctx.services.bookings->remove(b->id, actor_of(call));
    if (!st) return error_response(st.error());
    return no_content();
  });
}

}  // namespace confpro::web
