// [notify], [notify.smtp] and [notify.sms] of the configuration (etc/confpro.example.toml), and the worker
// built from them. Thread safety: start-up only.
#pragma once

#include <memory>
#include <string>

#include "app/config_reader.h"
#include "notify/delivery_worker.h"
#include "notify/reminders.h"
#include "notify/sms_sender.h"
#include "notify/smtp_sender.h"
#include "web/web_server.h"

namespace confpro::app {

struct NotifySettings {
  notify::WorkerOptions worker;
  notify::SmtpOptions smtp;  // smtp.url "" = no [notify.smtp]: e-mail rows stay pending
  notify::SmsOptions sms;    // sms.url "" = no [notify.sms]: SMS rows stay pending (number_rules: [sip]'s)
  // [notify] reminder_minutes, reminder_channels, unused_notice (time_zone: [server]'s, set by serve).
  notify::ReminderOptions reminders;
  // [notify] templates_dir: the operator's texts (booking/notification_templates.h); "" = built-in texts [""].
  std::string templates_dir;
};

void read_notify(ConfigReader r, NotifySettings& n);
// [notify.sms] report_url once [web] is known: "" = this server's own web address (0.0.0.0 → 127.0.0.1, for a
// gateway on the same host; none when web.port is 0, a port not known before start), "none" = no delivery
// reports asked.
std::string default_report_url(const web::WebOptions& web);
void settle_report_url(notify::SmsOptions& sms, const web::WebOptions& web);

// The delivery worker of these settings (not started): an SMTP sender when [notify.smtp] is set, an SMS
// sender when [notify.sms] is; plus `more` senders by kind (e.g. "billing": [billing] coupling = "http").
std::unique_ptr<notify::DeliveryWorker> make_delivery_worker(
    store::Store& store, const Clock& clock, const NotifySettings& settings,
    std::map<std::string, std::unique_ptr<notify::Sender>> more = {});
// One delivery pass in the calling thread (the CLI after a booking change, so that `confpro booking create`
// alone sends its mails): the due e-mails and SMS are sent when their server is set. Returns how many were
// attempted.
int deliver_due(store::Store& store, const Clock& clock, const NotifySettings& settings);
bool bare_address_ok(const std::string& from);

}  // namespace confpro::app
