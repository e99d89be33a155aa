#include "booking/notification_text.h"

#include <algorithm>
#include <map>
#include <memory>

#include "booking/notification_templates.h"
#include "common/timezone.h"
#include "domain/calendar.h"

namespace confpro::booking {

namespace {

using domain::calendar_text;
using domain::CalendarEvent;

struct Words {
  const char* subject_owner;
  const char* subject_invitee;
  const char* subject_updated;
  const char* subject_cancelled;
  const char* cancelled;
  const char* conference;
  const char* number;
  const char* moderator_pin;
  const char* user_pin;
  const char* personal_pin;
  const char* valid;
  const char* to;
  const char* duration;
  const char* minutes;
  const char* max;
  const char* access;
  const char* invited_by;
  const char* dial_in;
  const char* subject_reminder;   // reminders (issue 15 item 4)
  const char* starts_in;          // "{N}" = minutes
  const char* reminder_sms;
  const char* subject_unused;
  const char* unused;             // "{END}" = when its validity ended
};

const Words kFrench{"Votre conférence",
                    "Invitation à la conférence",
                    "Conférence modifiée",
                    "Conférence annulée",
                    "Cette conférence est annulée.",
                    "Conférence",
                    "Numéro de conférence",
                    "Code modérateur",
                    "Code participant",
                    "Votre code personnel",
                    "Valable du",
                    "au",
                    "Durée une fois ouverte",
                    "minutes",
                    "Participants au plus",
                    "Numéros d'accès",
                    "Invité par",
                    "Appeler",
                    "Rappel : conférence",
                    "Votre conférence commence dans {N} minutes.",
                    "Rappel",
                    "Conférence non utilisée",
                    "Personne ne s'est connecté à cette conférence : sa période de validité s'est terminée le {END}. "
                    "Vous pouvez en réserver une nouvelle à tout moment."};
const Words kEnglish{"Your conference",
                     "Invitation to conference",
                     "Conference updated",
                     "Conference cancelled",
                     "This conference is cancelled.",
                     "Conference",
                     "Conference number",
                     "Moderator PIN",
                     "Participant PIN",
                     "Your personal PIN",
                     "Valid from",
                     "to",
                     "Duration once opened",
                     "minutes",
                     "Maximum participants",
                     "Access numbers",
                     "Invited by",
                     "Dial in",
                     "Reminder: conference",
                     "Your conference starts in {N} minutes.",
                     "Reminder",
                     "Conference not used",
                     "Nobody joined this conference: its validity ended on {END}. You can book a new one at any "
                     "time."};

const Words& words_of(const domain::Booking& b) {
  return b.language == domain::Language::kEnglish ? kEnglish : kFrench;
}

std::string replaced(std::string text, const std::string& key, const std::string& value) {
  for (size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
  return text;
}

// The number callers dial first: a toll-free one when there is one.
const store::AccessNumber* dial_in_number(const std::vector<store::AccessNumber>& numbers) {
  auto it = std::find_if(numbers.begin(), numbers.end(), [](const auto& n) { return n.kind == "toll-free"; });
  if (it != numbers.end()) return &*it;
  return numbers.empty() ? nullptr : &numbers.front();
}

std::string details(const domain::Booking& b, const Words& w, const std::vector<store::AccessNumber>& numbers,
                    const std::string& zone) {
  std::string s;
  s += std::string(w.conference) + ": " + b.name + "\n";
  s += std::string(w.number) + ": " + b.number + "\n";
  s += std::string(w.valid) + " " + format_local_time(b.valid_from, zone) + " " + w.to + " " +
       format_local_time(b.valid_until(), zone) + " (" + zone + ")\n";
  s += std::string(w.duration) + ": " + std::to_string(b.duration_minutes) + " " + w.minutes + "\n";
  s += std::string(w.max) + ": " + std::to_string(b.max_participants) + "\n";
  if (!numbers.empty()) {
    s += std::string(w.access) + ":\n";
    for (const auto& n : numbers) s += "  " + n.number + (n.label.empty() ? "" : "  " + n.label) + "\n";
  }
  if (const auto* dial = dial_in_number(numbers))
    s += std::string(w.dial_in) + ": tel:" + dial->number + "  (" + w.number + " " + b.number + ")\n";
  return s;
}

// Operator templates (notification_templates.h): the values of a booking's placeholders, and a text with the
// operator's file for it when there is one.
using Values = std::map<std::string, std::string>;

Values values_of(const domain::Booking& b, const Words& w, const std::vector<store::AccessNumber>& numbers,
                 const std::string& zone) {
  Values v{{"name", b.name},
           {"number", b.number},
           {"pin", b.user_pin},
           {"user_pin", b.user_pin},
           {"start", format_local_time(b.valid_from, zone)},
           {"end", format_local_time(b.valid_until(), zone)},
           {"time_zone", zone},
           {"duration", std::to_string(b.duration_minutes)},
           {"max_participants", std::to_string(b.max_participants)},
           {"details", details(b, w, numbers, zone)}};
  std::string access;
  for (const auto& n : numbers) access += n.number + (n.label.empty() ? "" : "  " + n.label) + "\n";
  v["access_numbers"] = access;
  if (const auto* dial = dial_in_number(numbers)) v["dial_in"] = dial->number;
  return v;
}

// The operator's text `message`.<b's language>.`part`, or null when it has no such file.
std::shared_ptr<const std::string> template_of(const domain::Booking& b, const std::string& message,
                                              const char* part) {
  auto templates = current_templates();
  if (!templates) return nullptr;
  const char* lang = b.language == domain::Language::kEnglish ? "en" : "fr";
  auto it = templates->texts.find(message + "." + lang + "." + part);
  if (it == templates->texts.end()) return nullptr;
  return {templates, &it->second};  // shares the set's ownership
}

// `message`.<b's language>.`part` rendered with `values` when the operator has that file, else `builtin`.
std::string text_of(const domain::Booking& b, const std::string& message, const char* part, const Values& values,
                    std::string builtin) {
  auto text = template_of(b, message, part);
  return text ? render_template(*text, values) : builtin;
}

// The operator's HTML part of e-mail `message` rendered with `values` (escaped); "" without an .html file: the
// HTML part is then made from the text when the mail is built.
std::string html_of(const domain::Booking& b, const std::string& message, const Values& values) {
  auto text = template_of(b, message, "html");
  return text ? render_template(*text, values, true) : "";
}

store::OutboxMessage message(std::string kind, std::string recipient, std::string subject, std::string body,
                             TimePoint now) {
  store::OutboxMessage m;
  m.kind = std::move(kind);
  m.recipient = std::move(recipient);
  m.subject = std::move(subject);
  m.body = std::move(body);
  m.next_attempt_at = now;
  m.created_at = now;
  return m;
}

std::string display_name(const store::User& u) {
  return u.display_name.empty() ? u.username : u.display_name;
}

// The calendar of one recipient's copy: its DESCRIPTION is that recipient's text (so its PINs only).
std::string calendar_for(const domain::Booking& b, const std::string& method, int sequence,
                         const store::User* owner, const std::vector<store::AccessNumber>& numbers,
                         const std::string& body, TimePoint now) {
  CalendarEvent e;
  e.method = method;
  e.sequence = sequence;
  e.stamp = now;
  e.start = b.valid_from;
  e.end = b.valid_from + std::chrono::minutes{b.duration_minutes};
  e.summary = b.name;
  if (const auto* dial = dial_in_number(numbers)) e.location = "tel:" + dial->number + " (" + b.number + ")";
  e.description = body;
  if (owner != nullptr && !owner->email.empty()) {
    e.organizer_email = owner->email;
    e.organizer_name = display_name(*owner);
  }
  for (const auto& inv : b.invitees)
    if (!inv.email.empty()) e.attendees.push_back(inv.email);
  return calendar_text(e);
}

std::string invitee_body(const domain::Booking& b, const domain::Invitee& inv, const Words& w,
                         const std::string& common, const store::User* owner) {
  std::string body = common;
  if (!inv.personal_pin.empty())
    body += std::string(w.personal_pin) + ": " + inv.personal_pin + "\n";
  else
    body += std::string(w.user_pin) + ": " + b.user_pin + "\n";
  if (owner != nullptr) body += std::string(w.invited_by) + ": " + display_name(*owner) + "\n";
  return body;
}

// The owner's SMS: the conference, its number, both PINs, the end of validity, the first access number.
std::string owner_sms(const domain::Booking& b, const Words& w, const std::vector<store::AccessNumber>& numbers,
                      const std::string& zone, const std::string& prefix) {
  std::string sms = prefix + w.conference + " " + b.name + ": " + b.number + ", " + w.moderator_pin + " " +
                    b.moderator_pin + ", " + w.user_pin + " " + b.user_pin + ", " + w.to + " " +
                    format_local_time(b.valid_until(), zone) + ", " + std::to_string(b.duration_minutes) +
                    " min, max " + std::to_string(b.max_participants);
  if (!numbers.empty()) sms += ", " + numbers.front().number;
  return sms;
}

// The template message names' first part (notification_templates.h).
std::string change_name(BookingChange change) {
  return change == BookingChange::kDeleted ? "cancelled" : change == BookingChange::kUpdated ? "updated" : "created";
}

Values owner_values(Values v, const domain::Booking& b, const store::User* owner) {
  v["moderator_pin"] = b.moderator_pin;
  if (owner != nullptr) v["invited_by"] = display_name(*owner);
  return v;
}

// An invitee's: their PIN, never the moderator PIN (a template asking for it is refused at load).
Values invitee_values(Values v, const domain::Invitee& inv, const store::User* owner) {
  if (!inv.personal_pin.empty()) v["pin"] = inv.personal_pin;
  if (owner != nullptr) v["invited_by"] = display_name(*owner);
  return v;
}

std::vector<store::OutboxMessage> emails(const domain::Booking& b, BookingChange change, int sequence,
                                         const std::vector<domain::Invitee>& removed,
                                         const store::User* owner,
                                         const std::vector<store::AccessNumber>& numbers,
                                         const std::string& zone, TimePoint now) {
  const Words& w = words_of(b);
  const std::string quoted = " « " + b.name + " »";
  const std::string common = details(b, w, numbers, zone);
  const Values base = values_of(b, w, numbers, zone);
  const std::string what = change_name(change);
  const std::string cancelled = std::string(w.cancelled) + "\n\n" + common;
  const bool cancel = change == BookingChange::kDeleted;
  const std::string method = cancel ? "CANCEL" : "REQUEST";
  std::vector<store::OutboxMessage> out;
  auto add = [&](const std::string& to, const std::string& name, const Values& v, std::string subject,
                 std::string body, const std::string& how) {
    auto m = message("email", to, text_of(b, name, "subject", v, std::move(subject)),
                     text_of(b, name, "txt", v, std::move(body)), now);
    m.html = html_of(b, name, v);
    m.calendar = calendar_for(b, how, sequence, owner, numbers, m.body, now);
    m.booking = b.id;
    out.push_back(std::move(m));
  };
  const char* changed_subject = cancel                              ? w.subject_cancelled
                                : change == BookingChange::kUpdated ? w.subject_updated
                                                                    : nullptr;
  if (owner != nullptr && !owner->email.empty()) {
    std::string body = cancel ? cancelled
                              : common + w.moderator_pin + ": " + b.moderator_pin + "\n" + w.user_pin + ": " +
                                    b.user_pin + "\n";
    Values v = owner_values(base, b, owner);
    add(owner->email, what + "-owner", v, (changed_subject ? changed_subject : w.subject_owner) + quoted, body,
        method);
  }
  for (const auto& inv : b.invitees) {
    if (inv.email.empty()) continue;
    std::string body = cancel ? cancelled : invitee_body(b, inv, w, common, owner);
    Values v = invitee_values(base, inv, owner);
    add(inv.email, what + "-invitee", v, (changed_subject ? changed_subject : w.subject_invitee) + quoted, body,
        method);
  }
  for (const auto& inv : removed) {
    if (inv.email.empty()) continue;
    Values v = invitee_values(base, inv, owner);
    add(inv.email, "cancelled-invitee", v, w.subject_cancelled + quoted, cancelled, "CANCEL");
  }
  return out;
}

}  // namespace

std::vector<store::OutboxMessage> booking_notifications(const domain::Booking& b, const store::User* owner,
                                                        const std::vector<store::AccessNumber>& numbers,
                                                        const std::string& zone, TimePoint now) {
  std::vector<store::OutboxMessage> out =
      emails(b, BookingChange::kCreated, 0, {}, owner, numbers, zone, now);
  if (owner != nullptr && !owner->mobile.empty()) {
    const Words& w = words_of(b);
    const Values v = owner_values(values_of(b, w, numbers, zone), b, owner);
    out.push_back(message("sms", owner->mobile, "",
                          text_of(b, "created-sms", "sms", v, owner_sms(b, w, numbers, zone, "")), now));
  }
  return out;
}

std::vector<store::OutboxMessage> reminder_notifications(const domain::Booking& b, const store::User* owner,
                                                         const std::vector<store::AccessNumber>& numbers,
                                                         const std::string& zone, int minutes, bool email,
                                                         bool sms, TimePoint now) {
  const Words& w = words_of(b);
  const std::string subject = std::string(w.subject_reminder) + " « " + b.name + " »";
  const std::string starts = minutes == 1 ? replaced(w.starts_in, "{N} minutes", "1 minute")
                                           : replaced(w.starts_in, "{N}", std::to_string(minutes));
  const std::string common = starts + "\n\n" + details(b, w, numbers, zone);
  std::vector<store::OutboxMessage> out;
  auto add = [&](std::string kind, const std::string& to, const std::string& title, std::string body) {
    auto m = message(std::move(kind), to, title, std::move(body), now);
    m.booking = b.id;
    out.push_back(std::move(m));
  };
  Values base = values_of(b, w, numbers, zone);
  base["minutes"] = std::to_string(minutes);
  if (email) {
    if (owner != nullptr && !owner->email.empty()) {
      const Values v = owner_values(base, b, owner);
      add("email", owner->email, text_of(b, "reminder-owner", "subject", v, subject),
          text_of(b, "reminder-owner", "txt", v,
                  common + w.moderator_pin + ": " + b.moderator_pin + "\n" + w.user_pin + ": " + b.user_pin + "\n"));
      out.back().html = html_of(b, "reminder-owner", v);
    }
    for (const auto& inv : b.invitees) {
      if (inv.email.empty()) continue;
      const Values v = invitee_values(base, inv, owner);
      add("email", inv.email, text_of(b, "reminder-invitee", "subject", v, subject),
          text_of(b, "reminder-invitee", "txt", v, invitee_body(b, inv, w, common, owner)));
      out.back().html = html_of(b, "reminder-invitee", v);
    }
  }
  if (sms && owner != nullptr && !owner->mobile.empty())
    add("sms", owner->mobile, "",
        text_of(b, "reminder-sms", "sms", owner_values(base, b, owner),
                owner_sms(b, w, numbers, zone, std::string(w.reminder_sms) + " - ")));
  return out;
}

std::vector<store::OutboxMessage> unused_notifications(const domain::Booking& b, const store::User* owner,
                                                       const std::string& zone, TimePoint now) {
  if (owner == nullptr || owner->email.empty()) return {};
  const Words& w = words_of(b);
  const TimePoint ended = b.ended_at.value_or(b.valid_until());
  std::string body = replaced(w.unused, "{END}", format_local_time(ended, zone) + " (" + zone + ")") + "\n\n" +
                     w.conference + ": " + b.name + "\n" + w.number + ": " + b.number + "\n";
  Values v = owner_values({{"name", b.name}, {"number", b.number}, {"time_zone", zone}}, b, owner);
  v["ended"] = format_local_time(ended, zone);
  auto m = message("email", owner->email,
                   text_of(b, "unused-owner", "subject", v, std::string(w.subject_unused) + " « " + b.name + " »"),
                   text_of(b, "unused-owner", "txt", v, std::move(body)), now);
  m.html = html_of(b, "unused-owner", v);
  m.booking = b.id;
  return {m};
}

std::vector<store::OutboxMessage> booking_change_notifications(
    const domain::Booking& before, const domain::Booking& after, BookingChange change,
    const store::User* owner, const std::vector<store::AccessNumber>& numbers, const std::string& zone,
    TimePoint now) {
  std::vector<domain::Invitee> removed;
  if (change == BookingChange::kUpdated) {
    for (const auto& inv : before.invitees) {
      bool kept = std::any_of(after.invitees.begin(), after.invitees.end(),
                              [&](const auto& a) { return a.email == inv.email; });
      if (!kept) removed.push_back(inv);
    }
  }
  return emails(after, change, before.version, removed, owner, numbers, zone, now);
}

}  // namespace confpro::booking
