#include "booking/cdr.h"

#include "common/timezone.h"
#include "domain/money.h"

namespace confpro::booking {

namespace {

std::string utc(const std::optional<TimePoint>& t) {
  return t ? format_iso_utc(*t) : std::string();
}

std::string seconds_between(TimePoint from, const std::optional<TimePoint>& to) {
  if (!to) return "";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*to - from).count();
  return std::to_string(ms < 0 ? 0 : ms / 1000);
}

}  // namespace

CdrBilling cdr_billing(const std::vector<store::LedgerEntry>& lines) {
  CdrBilling out;
  for (const auto& l : lines) {
    if (out.account.empty()) out.account = l.account;
    if (l.kind != "capture") continue;
    out.captured = out.captured.value_or(0) - l.amount;
  }
  return out;
}

std::vector<std::string> cdr_header() {
  return {"record_type",  "session_id",   "connection_id", "booking_id",  "conference_number",
          "booking_name", "owner",        "caller_number", "caller_name", "access_number",
          "invitee",      "role",         "start_utc",     "end_utc",     "duration_s",
          "end_reason",   "participants", "account",       "amount",      "currency",
          "node"};
}

std::vector<std::vector<std::string>> cdr_rows(const store::SessionWithBooking& s,
                                               const std::vector<store::ParticipantConnection>& legs,
                                               const CdrBilling& billing) {
  std::vector<std::vector<std::string>> rows;
  const auto& session = s.session;
  const std::string session_id = std::to_string(session.id.value());
  const std::string booking_id = std::to_string(session.booking.value());
  for (const auto& c : legs) {
    const auto cost = billing.leg_costs.find(c.id.value());
    const bool costed = cost != billing.leg_costs.end();
    rows.push_back({"leg",
                    session_id,
                    std::to_string(c.id.value()),
                    booking_id,
                    session.number,
                    s.booking.name,
                    s.booking.owner,
                    c.caller_number,
                    c.caller_name,
                    c.access_number,
                    c.invitee,
                    c.role,
                    utc(c.joined_at),
                    utc(c.left_at),
                    seconds_between(c.joined_at, c.left_at),
                    c.leave_reason,
                    "",
                    billing.account,
                    costed ? domain::format_amount(cost->second) : "",
                    costed ? billing.currency : "",
                    session.node});
  }
  rows.push_back({"conference",
                  session_id,
                  "",
                  booking_id,
                  session.number,
                  s.booking.name,
                  s.booking.owner,
                  "",
                  "",
                  "",
                  "",
                  "",
                  utc(session.opened_at),
                  utc(session.closed_at),
                  seconds_between(session.opened_at, session.closed_at),
                  session.close_reason,
                  std::to_string(legs.size()),
                  billing.account,
                  billing.captured ? domain::format_amount(*billing.captured) : "",
                  billing.captured ? billing.currency : "",
                  session.node});
  return rows;
}

}  // namespace confpro::booking
