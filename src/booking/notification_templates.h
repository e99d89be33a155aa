// Operator templates of the notification texts (issue 15: "operator-overridable templates, files in a
// configured folder"): [notify] templates_dir. A file `<message>.<language>.<part>` replaces one built-in
// text:
//   message: created-owner, created-invitee, updated-owner, updated-invitee, cancelled-owner,
//            cancelled-invitee, reminder-owner, reminder-invitee, unused-owner (e-mails: parts subject, txt,
//            html),
//            created-sms, reminder-sms (the creator's SMS: part sms);
//   language: en, fr (the booking's); part: subject (one line), txt (the e-mail's text, and the calendar's
//   DESCRIPTION), html (the e-mail's HTML part; without it, the HTML part is made from the text), sms.
// A missing file keeps the built-in text. Placeholders `{{name}}` (see kPlaceholders) are replaced by the
// booking's values. Checked once at start-up (serve and the CLI alike), a refusal stops the start with the
// file and the reason: an unknown file name or placeholder, a file over kMaxTemplateBytes or unreadable, and
// `{{moderator_pin}}` in an invitee's template (an invitee never gets the moderator PIN).
//
// Thread safety: load_templates is pure; use_templates is called at start-up, before any booking is made, and
// the texts read the installed set through an atomic shared_ptr.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace confpro::booking {

inline constexpr std::size_t kMaxTemplateBytes = 64 * 1024;

// What a template may say, and what each means (documented in docs/notifications.md).
inline constexpr const char* kPlaceholders[] = {
    "name",           // the conference's name
    "number",         // its conference number
    "pin",            // the recipient's PIN: an invitee's personal PIN when set, else the participant PIN
    "user_pin",       // the participant PIN
    "moderator_pin",  // the moderator PIN (creator's messages only)
    "start",          // start of validity, local time
    "end",            // end of validity, local time
    "time_zone",      // the zone of those times
    "duration",       // minutes a conference lasts once opened
    "max_participants",
    "access_numbers",  // one access number a line, with its label
    "dial_in",         // the number callers dial first (toll-free when there is one)
    "invited_by",      // the creator's name (invitee messages)
    "minutes",         // reminders: minutes before the start
    "ended",           // unused notice: when its validity ended
    "details",         // the built-in block of details (name, number, validity, access numbers, dial-in)
};

// file name ("created-invitee.fr.subject") → text (a subject's trailing line breaks removed).
struct Templates {
  std::map<std::string, std::string> texts;
};

// Reads and checks every file of `dir`. Error::invalid("notify.templates_dir", …) naming the file and reason.
Result<Templates> load_templates(const std::string& dir);
// The set the notification texts use from now on; null = built-in texts only.
void use_templates(std::shared_ptr<const Templates> templates);
std::shared_ptr<const Templates> current_templates();

// `text` with each {{placeholder}} replaced from `values` (an absent one: empty). `html`: the values are
// HTML-escaped and their line breaks become <br> (an .html template; the template's own markup is the operator's).
std::string render_template(const std::string& text, const std::map<std::string, std::string>& values,
                            bool html = false);

}  // namespace confpro::booking
