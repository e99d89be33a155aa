#include "domain/calendar.h"

#include <ctime>

namespace confpro::domain {

namespace {

std::string utc_stamp(TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string escape_text(std::string_view s) {  // RFC 5545 3.3.11
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

std::string quote_param(std::string_view s) {  // a parameter value: no DQUOTE allowed inside
  std::string out = "\"";
  for (char c : s)
    if (c != '"' && c != '\r' && c != '\n') out += c;
  return out + "\"";
}

// One content line, folded at 75 octets without splitting a UTF-8 sequence (RFC 5545 3.1).
void add_line(std::string& out, const std::string& line) {
  size_t pos = 0, limit = 75;
  while (line.size() - pos > limit) {
    size_t cut = pos + limit;
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line, pos, cut - pos);
    out += "\r\n ";
    pos = cut;
    limit = 74;  // the leading space counts
  }
  out.append(line, pos, std::string::npos);
  out += "\r\n";
}

}  // namespace

std::string calendar_text(const CalendarEvent& e) {
  std::string out;
  add_line(out, "BEGIN:VCALENDAR");
  add_line(out, "PRODID:-//Conference Pro//confpro//EN");
  add_line(out, "VERSION:2.0");
  add_line(out, "CALSCALE:GREGORIAN");
  add_line(out, "METHOD:" + e.method);
  add_line(out, "BEGIN:VEVENT");
  add_line(out, "UID:" + std::string(kCalendarUidToken));
  add_line(out, "SEQUENCE:" + std::to_string(e.sequence));
  add_line(out, "DTSTAMP:" + utc_stamp(e.stamp));
  add_line(out, "DTSTART:" + utc_stamp(e.start));
  add_line(out, "DTEND:" + utc_stamp(e.end));
  add_line(out, "SUMMARY:" + escape_text(e.summary));
  if (!e.location.empty()) add_line(out, "LOCATION:" + escape_text(e.location));
  if (!e.description.empty()) add_line(out, "DESCRIPTION:" + escape_text(e.description));
  if (!e.organizer_email.empty())
    add_line(out, "ORGANIZER;CN=" + quote_param(e.organizer_name) + ":mailto:" + e.organizer_email);
  for (const auto& a : e.attendees)
    add_line(out, "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + a);
  add_line(out, std::string("STATUS:") + (e.method == "CANCEL" ? "CANCELLED" : "CONFIRMED"));
  add_line(out, "TRANSP:OPAQUE");
  add_line(out, "END:VEVENT");
  add_line(out, "END:VCALENDAR");
  return out;
}

std::string calendar_uid(BookingId booking, std::string_view host) {
  return "booking-" + std::to_string(booking.value()) + "@" + std::string(host);
}

std::string with_calendar_uid(std::string calendar, BookingId booking, std::string_view host) {
  const std::string uid = calendar_uid(booking, host);
  for (size_t at = calendar.find(kCalendarUidToken); at != std::string::npos;
       at = calendar.find(kCalendarUidToken, at + uid.size()))
    calendar.replace(at, kCalendarUidToken.size(), uid);
  return calendar;
}

std::string calendar_method(std::string_view calendar) {
  size_t at = calendar.find("\r\nMETHOD:");
  if (at == std::string_view::npos) return "";
  at += 9;
  size_t end = calendar.find("\r\n", at);
  return std::string(calendar.substr(at, end == std::string_view::npos ? end : end - at));
}

}  // namespace confpro::domain
