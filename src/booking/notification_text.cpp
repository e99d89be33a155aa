#include "booking/notification_text.h"

#include "common/timezone.h"

namespace confpro::booking {

namespace {

struct Words {
  const char* subject_owner;
  const char* subject_invitee;
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
};

const Words kFrench{"Votre conférence",
                    "Invitation à la conférence",
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
                    "Invité par"};
const Words kEnglish{"Your conference",
                     "Invitation to conference",
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
                     "Invited by"};

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
  return s;
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

}  // namespace

std::vector<store::OutboxMessage> booking_notifications(const domain::Booking& b, const store::User* owner,
                                                        const std::vector<store::AccessNumber>& numbers,
                                                        const std::string& zone, TimePoint now) {
  const Words& w = b.language == domain::Language::kEnglish ? kEnglish : kFrench;
  const std::string common = details(b, w, numbers, zone);
  std::vector<store::OutboxMessage> out;
  if (owner != nullptr && !owner->email.empty()) {
    std::string body =
        common + w.moderator_pin + ": " + b.moderator_pin + "\n" + w.user_pin + ": " + b.user_pin + "\n";
    out.push_back(
        message("email", owner->email, std::string(w.subject_owner) + " « " + b.name + " »", body, now));
  }
  for (const auto& inv : b.invitees) {
    if (inv.email.empty()) continue;
    std::string body = common;
    if (!inv.personal_pin.empty())
      body += std::string(w.personal_pin) + ": " + inv.personal_pin + "\n";
    else
      body += std::string(w.user_pin) + ": " + b.user_pin + "\n";
    if (owner != nullptr) {
      body += std::string(w.invited_by) + ": " +
              (owner->display_name.empty() ? owner->username : owner->display_name) + "\n";
    }
    out.push_back(
        message("email", inv.email, std::string(w.subject_invitee) + " « " + b.name + " »", body, now));
  }
  if (owner != nullptr && !owner->mobile.empty()) {
    std::string sms = std::string(w.conference) + " " + b.name + ": " + b.number + ", " + w.moderator_pin +
                      " " + b.moderator_pin + ", " + w.user_pin + " " + b.user_pin + ", " + w.to + " " +
                      format_local_time(b.valid_until(), zone) + ", " + std::to_string(b.duration_minutes) +
                      " min, max " + std::to_string(b.max_participants);
    if (!numbers.empty()) sms += ", " + numbers.front().number;
    out.push_back(message("sms", owner->mobile, "", sms, now));
  }
  return out;
}

}  // namespace confpro::booking
