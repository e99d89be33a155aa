// The e-mail of one outbox row as an RFC 5322 message (CRLF lines), ready for SMTP DATA: Date, Message-ID,
// RFC 2047 subject, text + HTML alternative, and for a row with a calendar the iMIP layout
// multipart/mixed → multipart/alternative (text, HTML, text/calendar; method=…) + invite.ics.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/time.h"
#include "store/store.h"

namespace confpro::notify {

struct MailIdentity {
  std::string from;  // "Name <addr>" or "addr"
  std::string host;  // right-hand side of Message-IDs and calendar UIDs ("" = the domain of `from`)
};

// The domain of an address ("a@b.org" → "b.org", "Name <a@b.org>" → "b.org"; "localhost" when none).
std::string address_domain(std::string_view address);
// The bare address of "Name <addr>" or "addr".
std::string bare_address(std::string_view address);

// "<outbox-ID.BOOKING@host>": the same for every attempt of a row, so a re-send after a crash is recognisably
// a duplicate.
std::string message_id(const store::OutboxMessage& m, std::string_view host);

// RFC 2047 B-encoded words for a header value with non-ASCII (as is when ASCII), folded to 76-octet lines.
std::string encode_header(std::string_view value);

// RFC 5322 date, e.g. "Mon, 07 Dec 2026 07:30:00 +0000".
std::string rfc5322_date(TimePoint t);

// The text body as simple HTML (escaped; one paragraph per blank-line-separated block; tel: and mailto:
// links).
std::string html_from_text(std::string_view text);

// The whole message, dated `date`; its HTML part is the row's `html` (an operator template) or else made from the
// text by html_from_text; the calendar gets its UID (domain/calendar.h). Boundaries from the row id
// (bodies are base64, so they never contain one).
std::string build_email(const store::OutboxMessage& m, const MailIdentity& identity, TimePoint date);

}  // namespace confpro::notify
