#include "notify/mime.h"

#include <ctime>

#include "common/html.h"
#include "domain/calendar.h"

namespace confpro::notify {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kBase64[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A body part's content, base64 in 76-character lines.
std::string base64_lines(std::string_view in) {
  std::string b = base64(in), out;
  for (size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\r' || c == '\n') return false;
  return true;
}

std::string crlf(std::string_view text) {  // bare LF → CRLF
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string part(const std::string& headers, std::string_view content) {
  return headers + "Content-Transfer-Encoding: base64\r\n\r\n" + base64_lines(content);
}

std::string multipart(const std::string& boundary, const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "--" + boundary + "\r\n" + p;
  return out + "--" + boundary + "--\r\n";
}

}  // namespace

std::string bare_address(std::string_view address) {
  size_t lt = address.find('<'), gt = address.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt)
    return std::string(address.substr(lt + 1, gt - lt - 1));
  return std::string(address);
}

std::string address_domain(std::string_view address) {
  std::string bare = bare_address(address);
  size_t at = bare.rfind('@');
  if (at == std::string::npos || at + 1 >= bare.size()) return "localhost";
  return bare.substr(at + 1);
}

std::string message_id(const store::OutboxMessage& m, std::string_view host) {
  return "<outbox-" + std::to_string(m.id) + "." + std::to_string(m.booking.value()) + "@" +
         std::string(host) + ">";
}

std::string encode_header(std::string_view value) {
  if (ascii(value)) return std::string(value);
  // Encoded words of at most 45 octets of UTF-8 (60 base64 characters, 75 with the "=?UTF-8?B?…?=" frame),
  // never splitting a character; one per folded line.
  std::string out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t end = std::min(value.size(), pos + 45);
    while (end < value.size() && end > pos && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(value.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string rfc5322_date(TimePoint t) {
  std::time_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string html_from_text(std::string_view text) {
  std::string out = "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n<p>";
  size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.empty()) {
      if (end < text.size()) out += "</p>\n<p>";
      first = true;
    } else {
      if (!first) out += "<br>\n";
      std::string escaped = html_escape(line);
      size_t tel = escaped.find("tel:");
      if (tel != std::string::npos) {  // a dial-in link: "tel:DIGITS"
        size_t stop = escaped.find_first_not_of("0123456789+", tel + 4);
        if (stop == std::string::npos) stop = escaped.size();
        std::string uri = escaped.substr(tel, stop - tel);
        escaped.replace(tel, stop - tel, "<a href=\"" + uri + "\">" + uri.substr(4) + "</a>");
      }
      out += escaped;
      first = false;
    }
    pos = end + 1;
  }
  return out + "</p>\n</body></html>\n";
}

std::string build_email(const store::OutboxMessage& m, const MailIdentity& identity, TimePoint date) {
  const std::string host = identity.host.empty() ? address_domain(identity.from) : identity.host;
  const std::string tag = std::to_string(m.id);
  std::string headers;
  headers += "Date: " + rfc5322_date(date) + "\r\n";
  headers += "From: " + identity.from + "\r\n";
  headers += "To: " + m.recipient + "\r\n";
  headers += "Subject: " + encode_header(m.subject) + "\r\n";
  headers += "Message-ID: " + message_id(m, host) + "\r\n";
  headers += "MIME-Version: 1.0\r\n";
  headers += "Auto-Submitted: auto-generated\r\n";
  const std::string text = crlf(m.body);
  std::vector<std::string> alternatives = {
      part("Content-Type: text/plain; charset=UTF-8\r\n", text),
      part("Content-Type: text/html; charset=UTF-8\r\n", crlf(m.html.empty() ? html_from_text(m.body) : m.html)),
  };
  if (m.calendar.empty()) {
    const std::string alt = "alt-" + tag + "-confpro";
    return headers + "Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n" +
           multipart(alt, alternatives);
  }
  const std::string calendar = domain::with_calendar_uid(m.calendar, m.booking, host);
  const std::string method = domain::calendar_method(calendar);
  alternatives.push_back(
      part("Content-Type: text/calendar; charset=UTF-8; method=" + method + "\r\n", calendar));
  const std::string alt = "alt-" + tag + "-confpro", mixed = "mixed-" + tag + "-confpro";
  std::string attachment = part(
      "Content-Type: application/ics; name=\"invite.ics\"\r\n"
      "Content-Disposition: attachment; filename=\"invite.ics\"\r\n",
      calendar);
  return headers + "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n\r\n" +
         multipart(mixed, {"Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n" +
                               multipart(alt, alternatives),
                           attachment});
}

}  // namespace confpro::notify
