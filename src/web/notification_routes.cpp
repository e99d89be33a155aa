// The notifications view (issue 15 item 5): the outbox rows with their delivery state, and re-send. Never the
// body nor the calendar: they hold PINs, nor an SMS row's report token. And the SMS gateway's delivery reports
// (item 3), which come without a session and are told apart by the row's token.
#include "common/log.h"
#include "common/timezone.h"
#include "store/store.h"
#include "web/api_context.h"

namespace confpro::web {

namespace {

nlohmann::json notification_json(const store::OutboxMessage& m) {
  return {{"id", m.id},
          {"kind", m.kind},
          {"recipient", m.recipient},
          {"subject", m.subject},
          {"booking_id", m.booking.value() == 0 ? nlohmann::json(nullptr) : nlohmann::json(m.booking.value())},
          {"status", m.status},
          {"attempts", m.attempts},
          {"next_attempt_at", format_iso_utc(m.next_attempt_at)},
          {"last_error", m.last_error},
          {"created_at", format_iso_utc(m.created_at)},
          {"report_state", m.report_state},
          {"report_at", m.report_at ? nlohmann::json(format_iso_utc(*m.report_at)) : nlohmann::json(nullptr)},
          {"report_answer", m.report_answer}};
}

// GET /api/v1/notifications?status=&booking=&limit=: an administrator sees every row, an organizer those of
// their own bookings (403 for another's booking id, the same as for a missing one).
HttpResponse list_notifications(const Call& call, ApiContext& ctx) {
  store::OutboxQuery q;
  std::vector<FieldError> errors;
  q.status = call.request.param("status");
  if (!q.status.empty() && q.status != "pending" && q.status != "sent" && q.status != "failed") {
    errors.emplace_back("status", "must be pending, sent or failed", "one_of",
                        ErrorParams{{"allowed", "pending, sent, failed"}});
  }
  if (auto text = call.request.param("booking"); !text.empty()) {
    auto id = parse_id(text);
    if (id) q.booking = BookingId{*id};
    else errors.emplace_back("booking", "must be a positive integer", "integer");
  }
  if (auto text = call.request.param("limit"); !text.empty()) {
    auto n = parse_id(text);
    if (n && *n <= 1000) q.limit = static_cast<int>(*n);
    else errors.emplace_back("limit", "must be an integer from 1 to 1000", "range", ErrorParams{{"min", 1}, {"max", 1000}});
  }
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  if (!call.principal().is_admin()) {
    if (q.booking.value() != 0) {
      auto b = ctx.services.store->get_booking(q.booking);
      if (!b || b->owner != call.principal().username) {
        return error_response(not_visible(call, Error::not_found("no such booking")));
      }
    }
    q.owner = call.principal().username;
  }
  auto rows = ctx.services.store->find_outbox(q);
  if (!rows) return error_response(rows.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& m : *rows) items.push_back(notification_json(m));
  return json_response(200, {{"items", items}, {"limit", q.limit}});
}

// POST /api/v1/notifications/{id}/resend: a failed (or already sent) message goes back to pending, due now;
// the delivery worker takes it on its next pass. Audited.
HttpResponse resend_notification(const Call& call, ApiContext& ctx) {
  auto id = parse_id(call.params.at("id"));
  if (!id) return error_response(Error::invalid("id", "must be a positive integer"));
  auto m = ctx.services.store->requeue_message(*id, ctx.now());
  if (!m) return error_response(m.error());
  ctx.audit(call, "notification.resend", "notification:" + std::to_string(*id), m->kind + " to " + m->recipient);
  return json_response(200, notification_json(*m));
}

// The state a Kannel delivery report type (%d: a bit set, notify/sms_sender.h kDlrMask; 0x22 expired, 0x42
// unknown) stands for: 2 or 16 "failed", 1 "delivered", 4 "buffered", 8 "accepted"; "" for none of these.
std::string report_state(long kannel_type) {
  if (kannel_type <= 0) return "";
  if (kannel_type & (2 | 16)) return "failed";
  if (kannel_type & 1) return "delivered";
  if (kannel_type & 4) return "buffered";
  if (kannel_type & 8) return "accepted";
  return "";
}

// GET /api/v1/notify/sms-dlr?id=&token=&status=&answer=: the gateway's delivery report (Kannel fetches the
// dlr-url notify/sms_sender.h put in the sendsms call, %d and %A filled in). No session: the row's token is the
// credential; a wrong one is 403 whatever the id (nothing to probe).
HttpResponse sms_delivery_report(const Call& call, ApiContext& ctx) {
  std::vector<FieldError> errors;
  auto id = parse_id(call.request.param("id"));
  if (!id) errors.emplace_back("id", "must be a positive integer", "integer");
  long type = 0;
  const std::string status = call.request.param("status");
  try {
    size_t used = 0;
    type = std::stol(status, &used);
    if (used != status.size()) throw std::invalid_argument(status);
  } catch (const std::exception&) {
    errors.emplace_back("status", "must be Kannel's delivery report type (an integer)", "integer");
  }
  if (!errors.empty()) return error_response(Error::invalid_fields(errors));
  const std::string state = report_state(type);
  std::string answer = call.request.param("answer");
  if (answer.size() > 500) answer.resize(500);
  if (state.empty()) {  // a type we did not ask for: acknowledged, not kept
    return json_response(200, {{"kept", false}});
  }
  auto kept = ctx.services.store->record_delivery_report(*id, call.request.param("token"),
                                                         {state, ctx.now(), answer});
  if (!kept.ok()) {
    if (kept.error().code != ErrorCode::kNotFound) return error_response(kept.error());
    log::get("web")->debug("SMS delivery report for outbox {} refused: wrong token", *id);
    return error_response(Error::denied("this delivery report does not match a message of ours")
                              .with_reason("bad_report_token"));
  }
  log::get("web")->info("SMS delivery report for outbox {}: {} ({})", *id, state, answer);
  return json_response(200, {{"kept", true}, {"state", state}});
}

}  // namespace

void add_notification_routes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/notifications", Access::kSignedIn,
             [&ctx](const Call& call) { return list_notifications(call, ctx); });
  router.add("POST", "/api/v1/notifications/{id}/resend", Access::kAdmin,
             [&ctx](const Call& call) { return resend_notification(call, ctx); });
  router.add("GET", "/api/v1/notify/sms-dlr", Access::kPublic,
             [&ctx](const Call& call) { return sms_delivery_report(call, ctx); });
}

}  // namespace confpro::web
