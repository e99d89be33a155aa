#include "booking/notification_templates.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "common/html.h"

namespace confpro::booking {

namespace {

namespace fs = std::filesystem;

const std::set<std::string> kMailMessages{"created-owner",   "created-invitee",  "updated-owner",
                                          "updated-invitee", "cancelled-owner",  "cancelled-invitee",
                                          "reminder-owner",  "reminder-invitee", "unused-owner"};
const std::set<std::string> kSmsMessages{"created-sms", "reminder-sms"};

std::atomic<std::shared_ptr<const Templates>> g_templates;

// A value put in an HTML template: escaped (a booking's name is the organizer's text), its lines kept as lines.
std::string html_text(const std::string& value) {
  std::string out;
  size_t from = 0;
  for (size_t nl; (nl = value.find('\n', from)) != std::string::npos; from = nl + 1)
    out += html_escape(std::string_view(value).substr(from, nl - from)) + "<br>\n";
  return out + html_escape(std::string_view(value).substr(from));
}

Error refused(const std::string& file, const std::string& why) {
  return Error::invalid("notify.templates_dir", file + ": " + why, "notify_template_invalid");
}

// The name's three parts, or an error saying what a name must be.
Result<bool> check_name(const std::string& file) {
  const auto a = file.find('.'), b = file.rfind('.');
  const std::string usage =
      "not a template name (<message>.<en|fr>.<subject|txt|html> for an e-mail, <message>.<en|fr>.sms for an SMS; "
      "see docs/notifications.md)";
  if (a == std::string::npos || a == b) return refused(file, usage);
  const std::string message = file.substr(0, a), lang = file.substr(a + 1, b - a - 1),
                    part = file.substr(b + 1);
  if (lang != "en" && lang != "fr") return refused(file, "language must be en or fr");
  if (kMailMessages.contains(message)) {
    if (part != "subject" && part != "txt" && part != "html")
      return refused(file, "an e-mail's part must be subject, txt or html");
  } else if (kSmsMessages.contains(message)) {
    if (part != "sms") return refused(file, "an SMS template's part must be sms");
  } else {
    return refused(file, "unknown message \"" + message + "\"; " + usage);
  }
  return message.ends_with("-invitee");
}

Status check_placeholders(const std::string& file, const std::string& text, bool invitee) {
  for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
    const auto end = text.find("}}", at + 2);
    if (end == std::string::npos) return refused(file, "\"{{\" without \"}}\"");
    const std::string key = text.substr(at + 2, end - at - 2);
    if (std::none_of(std::begin(kPlaceholders), std::end(kPlaceholders),
                     [&](const char* p) { return key == p; }))
      return refused(file, "unknown placeholder {{" + key + "}}");
    if (invitee && key == "moderator_pin")
      return refused(file,
                     "{{moderator_pin}} in an invitee's template: invitees never get the moderator PIN");
  }
  return {};
}

}  // namespace

Result<Templates> load_templates(const std::string& dir) {
  Templates out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return refused(dir, "not a readable folder");
  fs::directory_iterator it(dir, ec);
  if (ec) return refused(dir, ec.message());
  for (const auto& entry : it) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with(".") || file.ends_with(".md")) continue;  // notes beside the templates
    if (!entry.is_regular_file(ec)) return refused(file, "not a file");
    auto invitee = check_name(file);
    if (!invitee.ok()) return invitee.error();
    const auto size = fs::file_size(entry.path(), ec);
    if (ec) return refused(file, "unreadable: " + ec.message());
    if (size > kMaxTemplateBytes)
      return refused(file, "too large (" + std::to_string(size) + " bytes, at most " +
                               std::to_string(kMaxTemplateBytes) + ")");
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) return refused(file, "unreadable");
    if (auto s = check_placeholders(file, text, *invitee); !s.ok()) return s.error();
    if (file.ends_with(".subject") || file.ends_with(".sms")) {
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (file.ends_with(".subject") && text.find_first_of("\r\n") != std::string::npos)
        return refused(file, "a subject is one line");
    }
    out.texts[file] = std::move(text);
  }
  return out;
}

void use_templates(std::shared_ptr<const Templates> templates) {
  g_templates.store(std::move(templates));
}

std::shared_ptr<const Templates> current_templates() {
  return g_templates.load();
}

std::string render_template(const std::string& text, const std::map<std::string, std::string>& values,
                            bool html) {
  std::string out;
  size_t from = 0;
  for (size_t at; (at = text.find("{{", from)) != std::string::npos;) {
    const auto end = text.find("}}", at + 2);
    if (end == std::string::npos) break;
    out.append(text, from, at - from);
    if (auto v = values.find(text.substr(at + 2, end - at - 2)); v != values.end())
      out += html ? html_text(v->second) : v->second;
    from = end + 2;
  }
  out.append(text, from, std::string::npos);
  return out;
}

}  // namespace confpro::booking
