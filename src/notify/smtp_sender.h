// E-mail submission over SMTP through libcurl ([notify.smtp]): smtp:// with STARTTLS (required when
// `starttls`), or smtps:// (implicit TLS); AUTH when a username is set; the server's certificate verified
// against ca_file (or the system's CAs); connect and total timeouts. The message is mime.h's build_email.
// Thread safety: one SmtpSender per worker thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "notify/mime.h"
#include "notify/sender.h"

namespace confpro::notify {

struct SmtpOptions {
  std::string url;       // "smtp://host:port" | "smtps://host:port"; "" = e-mail not configured
  bool starttls = true;  // smtp://: STARTTLS required (CURLUSESSL_ALL); false: plain text [true]
  std::string ca_file;   // CA bundle for the server's certificate ["" = the system's]
  std::string username;  // AUTH when set
  std::string password;
  std::string from = "Conference Pro <noreply@localhost>";  // From: and envelope sender
  std::string host;  // Message-ID and calendar UID domain ["" = the domain of `from`]
  int connect_timeout_s = 10;
  int timeout_s = 60;  // a whole submission
};

class SmtpSender final : public Sender {
 public:
  explicit SmtpSender(SmtpOptions options);
  ~SmtpSender() override;
  std::string destination(const store::OutboxMessage& message) const override;
  SendResult send(const store::OutboxMessage& message) override;
  void cancel() override { cancelled_ = true; }

 private:
  SmtpOptions options_;
  MailIdentity identity_;
  void* curl_ = nullptr;  // CURL*, created at the first send
  std::atomic<bool> cancelled_{false};
};

}  // namespace confpro::notify
