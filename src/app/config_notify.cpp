// Reader for [notify], [notify.smtp] and [notify.sms] (notify/: the outbox's delivery worker and its SMTP
// sender).
#include "app/config_notify.h"

namespace confpro::app {

void read_notify(ConfigReader r, NotifySettings& n) {
  long long poll = n.worker.poll_interval.count();
  r.get_int("poll_interval_ms", poll, 50, 60000);
  n.worker.poll_interval = std::chrono::milliseconds(poll);
  long long first = n.worker.retry.first_delay.count() / 1000, max = n.worker.retry.max_delay.count() / 1000;
  long long deadline = n.worker.retry.deadline.count() / 1000;
  r.get_int("retry_first_s", first, 1, 86400);
  r.get_int("retry_max_s", max, 1, 7 * 86400);
  r.get_int("retry_deadline_s", deadline, 10, 30 * 86400);
  if (max < first) r.fail("retry_max_s", "must be at least retry_first_s");
  n.worker.retry.first_delay = std::chrono::seconds(first);
  n.worker.retry.max_delay = std::chrono::seconds(max);
  n.worker.retry.deadline = std::chrono::seconds(deadline);
  r.get("rate_per_second", n.worker.rate_per_second, 0, 100000);
  long long lease = n.worker.lease.count() / 1000;
  r.get_int("lease_s", lease, 1, 3600);
  n.worker.lease = std::chrono::seconds(lease);
  r.get_int("reminder_minutes", n.reminders.minutes, 0, 7 * 24 * 60);
  std::vector<std::string> channels{"email"};
  r.get("reminder_channels", channels);
  n.reminders.email = n.reminders.sms = false;
  for (const auto& c : channels) {
    if (c == "email") n.reminders.email = true;
    else if (c == "sms") n.reminders.sms = true;
    else r.fail("reminder_channels", "each must be \"email\" or \"sms\" (not \"" + c + "\")");
  }
  r.get("unused_notice", n.reminders.unused_notice);
  r.get("templates_dir", n.templates_dir);
  if (const toml::table* smtp = r.table("smtp")) {
    ConfigReader s = r.sub(smtp, "smtp");
    auto& o = n.smtp;
    s.get("url", o.url);
    if (o.url.rfind("smtp://", 0) != 0 && o.url.rfind("smtps://", 0) != 0)
      s.fail("url", "must start with smtp:// or smtps://");
    s.get("starttls", o.starttls);
    s.get("ca_file", o.ca_file);
    s.get("username", o.username);
    s.get("password", o.password);
    s.get("from", o.from);
    if (bare_address_ok(o.from) == false)
      s.fail("from", "must be an e-mail address (\"Name <a@b>\" or \"a@b\")");
    s.get("host", o.host);
    s.get_int("connect_timeout_s", o.connect_timeout_s, 1, 300);
    s.get_int("timeout_s", o.timeout_s, 1, 3600);
    s.finish();
  }
  if (const toml::table* sms = r.table("sms")) {
    ConfigReader s = r.sub(sms, "sms");
    auto& o = n.sms;
    s.get("url", o.url);
    if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0)
      s.fail("url", "must start with http:// or https:// (the gateway's sendsms URL)");
    s.get("username", o.username);
    s.get("password", o.password);
    s.get("from", o.from);
    s.get_int("connect_timeout_s", o.connect_timeout_s, 1, 300);
    s.get_int("timeout_s", o.timeout_s, 1, 3600);
    s.get("report_url", o.report_url);
    if (!o.report_url.empty() && o.report_url != "none" && o.report_url.rfind("http://", 0) != 0 &&
        o.report_url.rfind("https://", 0) != 0)
      s.fail("report_url", "must start with http:// or https:// (where the gateway reaches our web API), or be "
                           "\"none\"");
    s.finish();
  }
  r.finish();
}

std::string default_report_url(const web::WebOptions& web) {
  std::string host = web.address;
  if (host.empty() || host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  else if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return (web.tls_cert_file.empty() ? "http://" : "https://") + host + ":" + std::to_string(web.port);
}

void settle_report_url(notify::SmsOptions& sms, const web::WebOptions& web) {
  if (sms.report_url == "none") sms.report_url.clear();
  else if (sms.report_url.empty() && web.port > 0) sms.report_url = default_report_url(web);
}

std::unique_ptr<notify::DeliveryWorker> make_delivery_worker(
    store::Store& store, const Clock& clock, const NotifySettings& settings,
    std::map<std::string, std::unique_ptr<notify::Sender>> more) {
  std::map<std::string, std::unique_ptr<notify::Sender>> senders = std::move(more);
  if (!settings.smtp.url.empty()) senders["email"] = std::make_unique<notify::SmtpSender>(settings.smtp);
  if (!settings.sms.url.empty()) senders["sms"] = std::make_unique<notify::SmsSender>(settings.sms);
  return std::make_unique<notify::DeliveryWorker>(store, clock, std::move(senders), settings.worker);
}

int deliver_due(store::Store& store, const Clock& clock, const NotifySettings& settings) {
  if (settings.smtp.url.empty() && settings.sms.url.empty()) return 0;
  return make_delivery_worker(store, clock, settings)->run_once();
}

bool bare_address_ok(const std::string& from) {
  std::string bare = notify::bare_address(from);
  size_t at = bare.find('@');
  return at != std::string::npos && at > 0 && at + 1 < bare.size() &&
         bare.find_first_of(" \r\n") == std::string::npos;
}

}  // namespace confpro::app
