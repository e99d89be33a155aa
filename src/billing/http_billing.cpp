#include "billing/http_billing.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "billing/coupling.h"
#include "common/log.h"
#include "common/timezone.h"
#include "domain/money.h"
#include "notify/curl_support.h"

namespace confpro::billing {

namespace {

using nlohmann::json;

std::string hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

// "message", else "reason", else "error" (a string, or an object with a message) of a JSON answer; else the
// raw text.
std::string operator_message(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    for (const char* k : {"message", "reason", "error"}) {
      auto it = j.find(k);
      if (it == j.end()) continue;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_object() && it->contains("message") && (*it)["message"].is_string())
        return (*it)["message"].get<std::string>();
    }
  }
  return body.substr(0, 200);
}

std::string reason_of(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  return j.is_object() && j.contains("reason") && j["reason"].is_string() ? j["reason"].get<std::string>()
                                                                          : "";
}

// The value of `name=` in "a=1 b=2".
std::string field_of(const std::string& details, const std::string& name) {
  const std::string k = name + "=";
  size_t at = details.rfind(k, 0) == 0 ? 0 : details.find(" " + k);
  if (at == std::string::npos) return "";
  if (at != 0) ++at;
  const size_t from = at + k.size();
  return details.substr(from, details.find(' ', from) - from);
}

long long participant_ms(const std::vector<store::ParticipantConnection>& connections, TimePoint end) {
  long long ms = 0;
  for (const auto& c : connections) {
    const TimePoint left = std::min(c.left_at.value_or(end), end);
    if (left > c.joined_at) ms += to_epoch_ms(left) - to_epoch_ms(c.joined_at);
  }
  return ms;
}

}  // namespace

std::string hmac_sha256_hex(const std::string& key, const std::string& message) {
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return hex(mac, sizeof mac);
}

std::string signature(const std::string& secret, const std::string& timestamp, const std::string& body) {
  return "sha256=" + hmac_sha256_hex(secret, timestamp + "." + body);
}

HttpReply post_signed(const HttpBillingOptions& options, const std::string& path, const std::string& body,
                      const std::string& idempotency_key, TimePoint now, const std::atomic<bool>* cancelled) {
  notify::curl_global_once();
  HttpReply reply;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    reply.error = "curl_easy_init failed";
    return reply;
  }
  const std::string url = options.url + "/" + path;
  const std::string timestamp = std::to_string(to_epoch_ms(now) / 1000);
  curl_slist* headers = nullptr;
  for (const std::string& h :
       {std::string("Content-Type: application/json"), "Idempotency-Key: " + idempotency_key,
        "X-Confpro-Timestamp: " + timestamp,
        "X-Confpro-Signature: " + signature(options.secret, timestamp, body), std::string("Expect:")})
    headers = curl_slist_append(headers, h.c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, notify::curl_collect_reply);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  static const std::atomic<bool> never{false};
  notify::CurlWatch watch{cancelled != nullptr ? cancelled : &never,
                          std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms)};
  notify::curl_set_limits(curl, watch, (options.connect_timeout_ms + 999) / 1000,
                          (options.timeout_ms + 999) / 1000);
  // Finer than the helper's whole seconds (the same libcurl settings, set again).
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    reply.reached = true;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  } else {
    reply.error = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

ReserveAnswer decide_reserve(const HttpReply& reply) {
  ReserveAnswer a;
  if (!reply.reached) {
    a.message = reply.error;
    return a;
  }
  if (reply.status >= 200 && reply.status < 300) {
    const json j = json::parse(reply.body, nullptr, false);
    if (j.is_object() && j.contains("reservation") && j["reservation"].is_string() &&
        !j["reservation"].get<std::string>().empty()) {
      a.kind = ReserveAnswer::Kind::kAllowed;
      a.reservation = j["reservation"].get<std::string>();
      if (j.contains("granted_seconds") && j["granted_seconds"].is_number_integer())
        a.granted_seconds = j["granted_seconds"].get<long long>();
      return a;
    }
    a.message = "HTTP " + std::to_string(reply.status) + " without a reservation";
    return a;
  }
  if (reply.status == 402 || (reply.status == 403 && reason_of(reply.body) == "insufficient_credit")) {
    a.kind = ReserveAnswer::Kind::kInsufficient;
    a.message = operator_message(reply.body);
  } else if (reply.status == 403) {
    a.kind = ReserveAnswer::Kind::kRefused;
    a.message = operator_message(reply.body);
  } else {
    a.message = "HTTP " + std::to_string(reply.status) + " " + operator_message(reply.body);
  }
  return a;
}

std::string reserve_key(const std::string& secret, const std::string& account,
                        const domain::Booking& proposed) {
  const std::string what = "reserve\n" + account + "\n" + proposed.owner + "\n" + proposed.name + "\n" +
                           proposed.number + "\n" + std::to_string(to_epoch_ms(proposed.created_at));
  return "cp-" + hmac_sha256_hex(secret, what).substr(0, 32);
}

std::string reserve_body(const std::string& account, const domain::Booking& proposed,
                         const domain::Quote& quote, const std::string& key) {
  json j = {{"account", account},
            {"booking", nullptr},
            {"reference", key},
            {"number", proposed.number},
            {"name", proposed.name},
            {"owner", proposed.owner},
            {"start", format_iso_utc(proposed.valid_from)},
            {"duration_minutes", proposed.duration_minutes},
            {"max_participants", proposed.max_participants},
            {"idempotency_key", key}};
  if (quote.plan != nullptr) {
    j["price"] = domain::format_amount(quote.price);
    j["currency"] = quote.currency;
    j["plan"] = quote.plan->name;
  }
  return j.dump();
}

Result<std::optional<HttpReservation>> http_reservation_of(store::Store& store, BookingId booking) {
  store::AuditQuery q;
  q.target = booking_target(booking);
  q.limit = 500;
  auto page = store.list_audit(q);
  if (!page.ok()) return page.error();
  for (const auto& e : page->items) {
    if (e.action != kHttpReserveAction) continue;
    return std::optional<HttpReservation>(HttpReservation{
        field_of(e.details, "account"), field_of(e.details, "reservation"), field_of(e.details, "key")});
  }
  return std::optional<HttpReservation>();
}

std::optional<store::OutboxMessage> settlement_row(
    const HttpReservation& r, const domain::Booking& booking, bool deleted,
    const std::vector<store::ParticipantConnection>& connections, TimePoint now,
    const std::optional<booking::BookingCharge>& charge) {
  const bool ended = booking.state == domain::BookingState::kEnded;
  if (deleted && ended) return std::nullopt;  // settled at its end
  const bool commit = !deleted && booking.opened_at.has_value();
  store::OutboxMessage m;
  m.kind = kHttpBillingKind;
  m.recipient = commit ? "commit" : "refund";
  m.subject = r.key + "-" + m.recipient;
  m.booking = booking.id;
  m.next_attempt_at = now;
  m.created_at = now;
  json j = {{"account", r.account},         {"booking", booking.id.value()}, {"reference", r.key},
            {"reservation", r.reservation}, {"number", booking.number},      {"idempotency_key", m.subject}};
  if (commit) {
    const TimePoint end = booking.ended_at.value_or(now);
    const TimePoint opened = *booking.opened_at;
    j["opened_at"] = format_iso_utc(opened);
    j["ended_at"] = format_iso_utc(end);
    j["duration_seconds"] = std::max<long long>(0, (to_epoch_ms(end) - to_epoch_ms(opened)) / 1000);
    const long long ms = participant_ms(connections, end);
    j["participant_minutes"] = (ms + 59999) / 60000;  // started minutes, as telephony bills
    j["participant_seconds"] = ms / 1000;
    j["participants"] = connections.size();
    j["end_reason"] = domain::to_string(booking.end_reason);
    if (charge) {
      const auto& c = charge->charge;
      j["amount"] = domain::format_amount(c.total());
      j["currency"] = charge->currency;
      j["package"] = domain::format_amount(c.package);
      j["overage"] = domain::format_amount(c.overage);
      j["overage_minutes"] = c.overage_minutes;
      j["toll_free"] = domain::format_amount(c.toll_free);
      j["dial_out"] = domain::format_amount(c.dial_out);
    }
  } else {
    j["reason"] = deleted ? "deleted" : "lapsed_unused";
  }
  m.body = j.dump();
  return m;
}

HttpBillingAuthorizer::HttpBillingAuthorizer(HttpBillingOptions options, store::Store& store,
                                             std::vector<domain::TariffPlan> plans, bool fail_open)
    : options_(std::move(options)), store_(store), plans_(std::move(plans)), fail_open_(fail_open) {}

Result<store::AuditEntry> HttpBillingAuthorizer::authorize_account(const booking::Actor& actor,
                                                                   const std::string& account,
                                                                   const domain::Booking& proposed,
                                                                   TimePoint now) {
  const std::string key = reserve_key(options_.secret, account, proposed);
  return reserve(actor, account, proposed, key,
                 reserve_body(account, proposed, domain::quote(plans_, proposed, account), key), now);
}

Result<store::AuditEntry> HttpBillingAuthorizer::reserve(const booking::Actor& actor, const std::string& account,
                                                         const domain::Booking& proposed, const std::string& key,
                                                         const std::string& body, TimePoint now) {
  ReserveAnswer answer;
  for (int attempt = 0; attempt <= options_.reserve_retries; ++attempt) {
    const HttpReply reply = post_signed(options_, "reserve", body, key, now);
    answer = decide_reserve(reply);
    if (answer.kind != ReserveAnswer::Kind::kUnavailable || (reply.reached && reply.status < 500)) break;
  }
  const auto line = [&](const std::string& reservation) {
    return store::AuditEntry{0,
                             now,
                             actor.username,
                             kHttpReserveAction,
                             booking_target(proposed.id),
                             "account=" + account + " reservation=" + reservation + " key=" + key,
                             actor.source};
  };
  const long long needed_s = static_cast<long long>(proposed.duration_minutes) * 60;
  if (answer.kind == ReserveAnswer::Kind::kAllowed && answer.granted_seconds &&
      *answer.granted_seconds < needed_s) {
    answer.kind = ReserveAnswer::Kind::kInsufficient;
    answer.message = "the billing system grants " + std::to_string(*answer.granted_seconds / 60) +
                     " minutes, the booking needs " + std::to_string(proposed.duration_minutes);
    give_back({account, answer.reservation, key}, now);  // a booking that will not exist
  }
  switch (answer.kind) {
    case ReserveAnswer::Kind::kAllowed:
      return line(answer.reservation);
    case ReserveAnswer::Kind::kInsufficient:
      return Error(ErrorCode::kResourceExhausted,
                   "insufficient credit on account '" + account + "'" +
                       (answer.message.empty() ? std::string() : ": " + answer.message),
                   {}, "insufficient_credit", ErrorParams{{"account", account}});
    case ReserveAnswer::Kind::kRefused:
      return billing_refused(account, answer.message);
    case ReserveAnswer::Kind::kUnavailable:
      break;
  }
  if (fail_open_ && postpaid(store_, account)) {
    log::get("billing")->warn(
        "billing API unavailable ({}): postpaid account '{}' allowed to book '{}' (fail_open)",
        answer.message, account, proposed.name);
    auto unchecked = line(kUnchecked);
    unchecked.details += " warning=billing_unavailable_fail_open";
    return unchecked;
  }
  return billing_unavailable(account, answer.message);
}

Result<bool> HttpBillingAuthorizer::bills(const domain::Booking& booking) {
  auto r = http_reservation_of(store_, booking.id);
  if (!r.ok()) return r.error();
  return r->has_value();
}

Result<booking::AccountAuthorizer::Change> HttpBillingAuthorizer::reauthorize(const booking::Actor& actor,
                                                                              const domain::Booking& current,
                                                                              const domain::Booking& next,
                                                                              TimePoint now) {
  Change change;
  auto held = http_reservation_of(store_, current.id);
  if (!held.ok()) return held.error();
  if (!*held) return change;
  const HttpReservation& old = **held;
  const auto before = domain::quote(plans_, current, old.account);
  const auto after = domain::quote(plans_, next, old.account);
  if (next.duration_minutes <= current.duration_minutes && after.price <= before.price) return change;
  // The same change of the same version sends the same key on every try; another change, another key.
  const std::string key =
      "cp-" + hmac_sha256_hex(options_.secret, "change\n" + old.key + "\n" + std::to_string(current.version))
                  .substr(0, 32);
  json body = json::parse(reserve_body(old.account, next, after, key));
  body["booking"] = next.id.value();
  body["replaces"] = old.reservation;
  auto line = reserve(actor, old.account, next, key, body.dump(), now);
  if (!line.ok()) return line.error();
  if (field_of(line->details, "reservation") == kUnchecked) {
    // fail_open: the change goes through on what was reserved before, said in the audit log.
    change.line = store::AuditEntry{0,
                                    now,
                                    actor.username,
                                    kHttpUncheckedChangeAction,
                                    booking_target(next.id),
                                    "account=" + old.account + " kept=" + old.reservation +
                                        " warning=billing_unavailable_fail_open",
                                    actor.source};
    return change;
  }
  change.line = std::move(*line);
  if (old.reservation != kUnchecked) {
    if (auto refund = settlement_row(old, current, true, {}, now)) {
      json j = json::parse(refund->body);
      j["reason"] = "replaced";
      j["replaced_by"] = field_of(change.line->details, "reservation");
      refund->body = j.dump();
      change.outbox.push_back(std::move(*refund));
    }
  }
  return change;
}

void HttpBillingAuthorizer::not_stored(const store::AuditEntry& line, TimePoint now) {
  if (line.action != kHttpReserveAction || field_of(line.details, "reservation") == kUnchecked) return;
  give_back({field_of(line.details, "account"), field_of(line.details, "reservation"),
             field_of(line.details, "key")},
            now);
}

void HttpBillingAuthorizer::give_back(const HttpReservation& r, TimePoint now) {
  const domain::Booking none;
  store::OutboxMessage refund = *settlement_row(r, none, true, {}, now);
  json body = json::parse(refund.body);
  body["reason"] = "not_booked";
  refund.body = body.dump();
  if (auto st = store_.enqueue(refund); !st.ok())
    log::get("billing")->warn("reservation {} of account '{}' not given back: {}", r.reservation, r.account,
                              st.error().message);
}

Result<std::vector<store::OutboxMessage>> HttpBillingAuthorizer::settlement(const domain::Booking& booking,
                                                                            bool deleted, TimePoint now) {
  std::vector<store::OutboxMessage> rows;
  auto r = http_reservation_of(store_, booking.id);
  if (!r.ok()) return r.error();
  if (!*r) return rows;
  std::vector<store::ParticipantConnection> connections;
  if (!deleted && booking.opened_at) {
    store::SessionQuery q;
    q.booking = booking.id;
    q.limit = 1000;
    auto sessions = store_.list_sessions(q);
    if (!sessions.ok()) return sessions.error();
    for (const auto& s : sessions->items) {
      auto c = store_.list_connections(s.session.id);
      if (!c.ok()) return c.error();
      connections.insert(connections.end(), c->begin(), c->end());
    }
  }
  std::optional<booking::BookingCharge> charge;
  if (!deleted && booking.opened_at) {
    const auto& account = (*r)->account;
    auto priced =
        booking::charge_of(store_, plans_, booking, account, domain::quote(plans_, booking, account).price, now);
    if (!priced.ok()) return priced.error();
    charge = *priced;
  }
  if (auto row = settlement_row(**r, booking, deleted, connections, now, charge)) rows.push_back(std::move(*row));
  return rows;
}

HttpBillingSender::HttpBillingSender(HttpBillingOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  notify::curl_global_once();
}

std::string HttpBillingSender::destination(const store::OutboxMessage&) const {
  return options_.url;
}

notify::SendResult HttpBillingSender::send(const store::OutboxMessage& message) {
  notify::SendResult result;
  if (message.recipient != "commit" && message.recipient != "refund") {
    result.permanent = true;
    result.reply = "not a billing request: " + message.recipient;
    return result;
  }
  const HttpReply reply =
      post_signed(options_, message.recipient, message.body, message.subject, clock_.now(), &cancelled_);
  if (!reply.reached) {
    result.reply = reply.error;
    result.server_down = true;
    return result;
  }
  result.reply = std::to_string(reply.status) + " " + reply.body.substr(0, 200);
  // 409: the operator already did what this key asks (a retry after a lost answer).
  result.ok = (reply.status >= 200 && reply.status < 300) || reply.status == 409;
  result.server_down =
      reply.status >= 500 || reply.status == 401 || reply.status == 408 || reply.status == 429;
  result.permanent = !result.ok && !result.server_down;
  return result;
}

}  // namespace confpro::billing
