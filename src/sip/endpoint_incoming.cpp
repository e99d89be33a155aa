// Incoming calls: admission (per-source rate and bans, screened before the stack; capacity; SDP), accept/reject/
// hang-up, re-INVITE/UPDATE offers, INFO.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport.h>

#include <random>
#include <set>

#include "sip/dtmf_info.h"
#include "sip/endpoint_impl.h"
#include "spdlog/spdlog.h"

namespace confpro::sip {
namespace {

std::uint64_t random_session_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng() >> 2;  // SDP implementations like it to fit in a signed 63-bit number
}

// Rejects an INVITE we will not adopt and forgets its handle (pitfall 1).
void refuse(nua_t* nua, nua_handle_t* nh, int status, const char* phrase, const std::string& retry_after = "") {
  nua_respond(nh, status, phrase, NUTAG_WITH_THIS(nua),
              TAG_IF(!retry_after.empty(), SIPTAG_RETRY_AFTER_STR(retry_after.c_str())), TAG_END());
  nua_handle_destroy(nh);
}

std::string user_of(const url_t* url) {
  return url && url->url_user ? std::string(strip_user_params(url->url_user)) : std::string();
}

// nua_respond() keeps the phrase pointer until the stack sends the response (later, from the root loop), so a
// caller's reason must outlive the call: interned here (SIP thread only; a few distinct reasons in practice).
const char* interned_phrase(int status, const std::string& reason) {
  static std::set<std::string> phrases;
  if (reason.empty() || reason.size() > 64) return sip_status_phrase(status);
  if (phrases.size() >= 256 && !phrases.count(reason)) return sip_status_phrase(status);
  return phrases.insert(reason).first->c_str();
}

bool same_media(const Negotiated& a, const Negotiated& b) {
  return a.remote_ip == b.remote_ip && a.remote_port == b.remote_port && a.codec.kind == b.codec.kind &&
         a.codec.payload_type == b.codec.payload_type && a.direction == b.direction &&
         a.codec.telephone_event_pt == b.codec.telephone_event_pt &&
         a.remote_crypto.has_value() == b.remote_crypto.has_value() &&
         (!a.remote_crypto || a.remote_crypto->key_b64 == b.remote_crypto->key_b64);
}

}  // namespace

void SofiaEndpoint::on_new_invite(nua_handle_t* nh, const sip_t* sip) {
  if (!nh || !sip || !sip->sip_request) return;
  const std::string ip = source_ip(event_nua_);
  const std::string retry = std::to_string(options_.retry_after_s);
  if (shutting_down_) return refuse(event_nua_, nh, 503, "Shutting Down", retry);
  if (draining_.load()) return refuse(event_nua_, nh, 503, "Draining", retry);
  const auto now = std::chrono::steady_clock::now();
  if (const auto verdict = admission_.admit(ip, now); verdict != AdmissionGuard::Verdict::kAdmit) {
    // Cheap on purpose: no SDP, no media, no call; one log line per ban (at most 10 a second), the rest in
    // the once-a-second summary (a line per dropped INVITE would itself flood the SIP thread).
    const auto ban = admission_.ban_left(ip, now);
    if (verdict == AdmissionGuard::Verdict::kNewBan) log_new_ban(ip, "INVITE", now);
    if (verdict == AdmissionGuard::Verdict::kBanned || options_.drop_over_rate) {
      if (dropped_.size() < kMaxDroppedInvites) {
        // No answer at all: destroying the handle now would make nua answer 480, so it is kept until the
        // caller's transaction has timed out (RFC 3261 timer B, 32 s) and destroyed by the tick.
        dropped_.emplace_back(now, nh);
        return;
      }
    }
    return refuse(event_nua_, nh, 503, "Too Many Calls From Source", std::to_string(ban.count()));
  }
  if (live_calls_.load() >= options_.max_calls) {
    log_->warn("INVITE from {} refused: {} calls live (max {})", ip, live_calls_.load(), options_.max_calls);
    return refuse(event_nua_, nh, 503, "Too Many Calls", retry);
  }
  // Without SDP (late offer) our 200 will carry the offer and the ACK the answer.
  const std::string body = payload_of(sip);
  const bool late_offer = body.empty();
  Result<SdpDescription> offer = late_offer ? Result<SdpDescription>(SdpDescription{}) : parse_sdp(body);
  if (!offer.ok()) {
    log_->info("INVITE from {} with bad SDP: {}", ip, offer.error().message);
    return refuse(event_nua_, nh, 488, "Bad SDP");
  }
  Result<Negotiated> chosen =
      late_offer ? Result<Negotiated>(Negotiated{}) : negotiate_offer(*offer, policy_);
  if (!chosen.ok()) {
    log_->info("INVITE from {}: {}", ip, chosen.error().message);
    return refuse(event_nua_, nh, 488, "Not Acceptable Here");
  }
  if (late_offer) chosen->codec.kind = policy_.codecs.front();

  const CallId id{next_call_id_++};
  Call& c = add_call(id, nh);
  c.remote = std::move(offer).value();
  c.negotiated = std::move(chosen).value();
  c.late_offer = late_offer;
  c.transport = via_transport(sip);
  c.ipv6 = ip.find(':') != std::string::npos;
  c.local.address = media_address(c.ipv6);
  c.local.session_id = random_session_id();
  c.local.version = 1;
  if (c.negotiated.remote_crypto || (late_offer && policy_.srtp == SrtpPolicy::kRequired)) {
    c.local.crypto_key_b64 = make_srtp_key();
  }

  // NAT (pitfall 11): when the Contact is not where the INVITE came from, send in-dialog requests to the source.
  const std::string src = source_address(event_nua_);
  if (c.transport == "udp" && sip->sip_contact && sip->sip_contact->m_url->url_host && !src.empty() &&
      ip != sip->sip_contact->m_url->url_host) {
    const std::string route = "sip:" + src;
    nua_set_hparams(nh, NUTAG_PROXY(route.c_str()), TAG_END());
  }

  IncomingCall info;
  info.call = id;
  info.dialled = user_of(sip->sip_request->rq_url);
  info.dialled_digits = domain::normalize_phone(info.dialled, options_.number_rules);
  if (!is_digits(info.dialled_digits)) info.dialled_digits.clear();
  info.trusted_peer = admission_.trusted(ip);
  // Anyone can write a P-Asserted-Identity: only a trusted peer's is believed (RFC 3325 trust domain).
  const sip_p_asserted_identity_t* pai = sip_p_asserted_identity(sip);
  if (pai && !info.trusted_peer) {
    log_->info("call={} P-Asserted-Identity from untrusted {} ignored: caller taken from From", id.value(),
               ip);
    pai = nullptr;
  }
  const url_t* caller_url = pai ? pai->paid_url : (sip->sip_from ? sip->sip_from->a_url : nullptr);
  const char* display = pai ? pai->paid_display : (sip->sip_from ? sip->sip_from->a_display : nullptr);
  std::string caller = user_of(caller_url);
  std::string normalized = domain::normalize_phone(caller, options_.number_rules);
  info.caller_number = is_digits(normalized) ? normalized : (caller == "anonymous" ? "" : caller);
  info.display_name = unquote(display);
  info.remote_address = src;
  info.source_ip = ip;
  info.transport = c.transport;
  info.codec = c.negotiated.codec;
  info.srtp = c.negotiated.remote_crypto.has_value();

  log_->info("call={} INVITE from={} to={} src={}{} transport={} codec={}/{}{}{}", id.value(),
             info.caller_number, info.dialled, src, info.trusted_peer ? " (trusted)" : "", c.transport,
             media::to_string(info.codec.kind), info.codec.payload_type, info.srtp ? " srtp" : "",
             late_offer ? " late-offer" : "");
  const std::string contact = contact_for(c.transport, c.ipv6);
  nua_respond(nh, 180, "Ringing", SIPTAG_CONTACT_STR(contact.c_str()), TAG_END());
  handler_.on_incoming(info);
}

void SofiaEndpoint::do_accept(CallId id, RoomId near_room) {
  Call* c = find(id);
  if (!c || c->outbound || c->state != Call::State::kRinging) {
    log_->info("call={} accept ignored: not a ringing incoming call", id.value());
    return;
  }
  // Late offer: the session starts without a peer address (like a dial-out) until the ACK brings the answer.
  media::SessionParams params = session_params(*c);
  if (c->late_offer) {
    params = media::SessionParams{};
    params.local_ip = media_address(c->ipv6);
    params.codec.kind = policy_.codecs.front();
    params.label = "call=" + std::to_string(id.value());
  }
  params.near_room = near_room;
  auto session = media_.create_session(params);
  if (!session.ok()) {
    log_->error("call={} no media session: {}", id.value(), session.error().message);
    c->end_cause = "media-error";
    nua_respond(c->nh, 503, "Media Unavailable", TAG_END());
    return;
  }
  c->media = session->id;
  c->local.port = session->local_port;
  c->last_sdp =
      c->late_offer ? build_offer(policy_, c->local) : build_answer(c->remote, c->negotiated, c->local);
  c->offer_in_200 = c->late_offer;
  const std::string contact = contact_for(c->transport, c->ipv6);
  nua_respond(c->nh, 200, "OK", SIPTAG_CONTACT_STR(contact.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
              SIPTAG_PAYLOAD_STR(c->last_sdp.c_str()), TAG_END());
  c->state = Call::State::kAnswering;
  c->answered_at = std::chrono::steady_clock::now();
  log_->info("call={} answered 200 media={} port={}", id.value(), c->media.value(), c->local.port);
}

void SofiaEndpoint::do_reject(CallId id, int status, const std::string& reason) {
  Call* c = find(id);
  if (!c || c->outbound || c->state != Call::State::kRinging) {
    log_->info("call={} reject ignored: not a ringing incoming call", id.value());
    return;
  }
  if (status < 300 || status > 699) status = 480;
  c->end_cause = "rejected";
  log_->info("call={} rejected {} {}", id.value(), status, reason);
  nua_respond(c->nh, status, interned_phrase(status, reason), TAG_END());
}

void SofiaEndpoint::do_hangup(CallId id, const std::string& cause) {
  Call* c = find(id);
  if (!c) return;
  if (c->end_cause.empty()) c->end_cause = cause.empty() ? "server-bye" : cause;
  log_->info("call={} hang-up cause={}", id.value(), c->end_cause);
  switch (c->state) {
    case Call::State::kRinging:
      nua_respond(c->nh, 480, "Temporarily Unavailable", TAG_END());
      break;
    case Call::State::kOutgoing:
      nua_cancel(c->nh, TAG_END());
      break;
    case Call::State::kAnswering:
    case Call::State::kEstablished:
      send_bye(*c);
      break;
  }
}

// Applies a new offer inside the dialog; on success c.last_sdp holds the answer. Returns the status to send.
Status SofiaEndpoint::answer_offer(Call& c, const std::string& body, int& status_out) {
  auto offer = parse_sdp(body);
  if (!offer.ok()) {
    status_out = 488;
    return offer.error();
  }
  auto chosen = negotiate_offer(*offer, policy_);
  if (!chosen.ok()) {
    status_out = 488;
    return chosen.error();
  }
  const bool changed = !same_media(c.negotiated, *chosen);
  c.remote = std::move(offer).value();
  c.negotiated = std::move(chosen).value();
  if (c.negotiated.remote_crypto && c.local.crypto_key_b64.empty()) c.local.crypto_key_b64 = make_srtp_key();
  if (changed && c.media.valid()) {
    if (auto st = media_.update_session(c.media, session_params(c)); !st.ok()) {
      log_->warn("call={} media update failed: {}", c.id.value(), st.error().message);
    }
  }
  std::string answer = build_answer(c.remote, c.negotiated, c.local);
  if (answer != c.last_sdp) {
    ++c.local.version;
    answer = build_answer(c.remote, c.negotiated, c.local);
  }
  c.last_sdp = std::move(answer);
  log_->info("call={} new offer: {}:{} {} direction={}", c.id.value(), c.negotiated.remote_ip,
             c.negotiated.remote_port, media::to_string(c.negotiated.codec.kind),
             static_cast<int>(c.negotiated.direction));
  status_out = 200;
  return {};
}

void SofiaEndpoint::on_reinvite(Call& c, const sip_t* sip) {
  const std::string body = payload_of(sip);
  int status = 200;
  c.offer_in_200 = body.empty();  // an offerless re-INVITE: our last SDP is re-offered, the ACK answers
  if (!body.empty()) {
    if (auto st = answer_offer(c, body, status); !st.ok()) {
      log_->info("call={} re-INVITE refused: {}", c.id.value(), st.error().message);
      nua_respond(c.nh, status, "Not Acceptable Here", TAG_END());
      return;
    }
  }
  const std::string contact = contact_for(c.transport, c.ipv6);
  nua_respond(c.nh, 200, "OK", SIPTAG_CONTACT_STR(contact.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
              SIPTAG_PAYLOAD_STR(c.last_sdp.c_str()), TAG_END());
}

void SofiaEndpoint::on_update(Call& c, const sip_t* sip) {
  const std::string body = payload_of(sip);
  if (body.empty()) {
    nua_respond(c.nh, 200, "OK", NUTAG_WITH_THIS(event_nua_), TAG_END());
    return;
  }
  int status = 200;
  if (auto st = answer_offer(c, body, status); !st.ok()) {
    nua_respond(c.nh, status, "Not Acceptable Here", NUTAG_WITH_THIS(event_nua_), TAG_END());
    return;
  }
  nua_respond(c.nh, 200, "OK", NUTAG_WITH_THIS(event_nua_), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
              SIPTAG_PAYLOAD_STR(c.last_sdp.c_str()), TAG_END());
}

void SofiaEndpoint::on_ack(Call& c, const sip_t* sip) {
  if (c.offer_in_200) {
    c.offer_in_200 = false;
    const std::string body = payload_of(sip);
    auto answer =
        body.empty() ? Result<SdpDescription>(Error::invalid("ACK", "no SDP answer")) : parse_sdp(body);
    auto chosen = answer.ok() ? read_answer(*answer, policy_) : Result<Negotiated>(answer.error());
    if (!chosen.ok()) {
      // RFC 3261 13.2.1 / RFC 3264: an offer in a 2xx must be answered in the ACK; without a usable one the
      // session cannot be set up, and the only way out is BYE.
      log_->info("call={} ACK without a usable answer: {}", c.id.value(), chosen.error().message);
      if (c.late_offer) {
        c.end_cause = "no-common-codec";
        c.state = Call::State::kEstablished;
        send_bye(c);
        return;
      }
    } else {
      c.remote = std::move(answer).value();
      c.negotiated = std::move(chosen).value();
      if (auto st = media_.update_session(c.media, session_params(c)); !st.ok()) {
        log_->warn("call={} media update failed: {}", c.id.value(), st.error().message);
      }
      log_->info("call={} answer in ACK: {}:{} {}", c.id.value(), c.negotiated.remote_ip,
                 c.negotiated.remote_port, media::to_string(c.negotiated.codec.kind));
    }
  }
  if (c.state != Call::State::kAnswering) return;
  c.state = Call::State::kEstablished;
  log_->info("call={} answered (ACK)", c.id.value());
  if (!c.answered_reported) {
    answered_in_.fetch_add(1, std::memory_order_relaxed);
    c.answered_reported = true;
    handler_.on_answered(c.id, c.media);
  }
}

// OPTIONS (keep-alives, monitoring) in or out of dialog: 200 with what we support, no SDP. Out of dialog
// while draining: 503, so that a dispatcher's health check takes this node out of its set (live calls'
// in-dialog OPTIONS still get 200).
void SofiaEndpoint::on_options(nua_handle_t* nh, const sip_t*) {
  if (!nh) return;
  if ((draining_.load() || shutting_down_) && !find(nh))
    return refuse(event_nua_, nh, 503, "Draining", std::to_string(options_.retry_after_s));
  nua_respond(nh, 200, "OK", NUTAG_WITH_THIS(event_nua_), SIPTAG_ACCEPT_STR("application/sdp"),
              SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"), TAG_END());
  if (!find(nh)) nua_handle_destroy(nh);
}

void SofiaEndpoint::on_info(nua_handle_t* nh, const sip_t* sip) {
  if (!nh) return;
  Call* c = find(nh);
  if (!c) {
    nua_respond(nh, 481, "Call Does Not Exist", NUTAG_WITH_THIS(event_nua_), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  const std::string type = content_type_of(sip);
  auto digit = parse_dtmf_info(type, payload_of(sip));
  if (!digit && type != "application/dtmf-relay" && type != "application/dtmf" && !type.empty()) {
    nua_respond(nh, 415, "Unsupported Media Type", NUTAG_WITH_THIS(event_nua_),
                SIPTAG_ACCEPT_STR("application/dtmf-relay, application/dtmf"), TAG_END());
    return;
  }
  nua_respond(nh, 200, "OK", NUTAG_WITH_THIS(event_nua_), TAG_END());
  if (digit) {
    log_->info("call={} DTMF {} (INFO)", c->id.value(), *digit);
    handler_.on_dtmf(c->id, *digit);
  }
}

void SofiaEndpoint::log_new_ban(const std::string& ip, const char* request, SteadyTime now) {
  if (++ban_logs_this_second_ > kBanLogsPerSecond) return;
  log_->warn("{} from {} over {} requests a second: source banned for {} s (offence {})", request, ip,
             options_.invite_rate_per_source, admission_.ban_left(ip, now).count(), admission_.strikes(ip));
}

void SofiaEndpoint::log_admission_summary(SteadyTime now) {
  const int bans = ban_logs_this_second_;
  ban_logs_this_second_ = 0;
  const AdmissionGuard::Summary sum = admission_.take_summary(now);
  if (sum.dropped == 0 && bans <= kBanLogsPerSecond) return;
  log_->warn("flood: {} request(s) from {} banned source(s) dropped in the last second (most from {}: {}){}",
             sum.dropped, sum.banned_sources, sum.top_source.empty() ? "-" : sum.top_source, sum.top_dropped,
             bans > kBanLogsPerSecond ? ", " + std::to_string(bans - kBanLogsPerSecond) + " ban(s) not logged"
                                      : std::string());
}

namespace {
thread_local SofiaEndpoint* t_screen = nullptr;

std::string ip_of(const su_sockaddr_t* su) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (!su || (su->su_family != AF_INET && su->su_family != AF_INET6)) return {};
  return inet_ntop(su->su_family, SU_ADDR(su), buf, sizeof buf) ? std::string(buf) : std::string();
}
}  // namespace

AdmissionScreen::AdmissionScreen(SofiaEndpoint* endpoint) {
  t_screen = endpoint;
}
AdmissionScreen::~AdmissionScreen() {
  t_screen = nullptr;
}

// Only requests out of any dialog (no To tag) are screened: what a flooder sends; in-dialog requests (the BYE
// of a call it has) pass. A new INVITE's token is taken by on_new_invite, once per transaction (not per
// retransmission); here it only meets a ban, and so does the CANCEL of an INVITE.
bool SofiaEndpoint::screen_out(msg_t* msg) {
  const sip_t* sip = msg ? sip_object(msg) : nullptr;
  if (!sip || !sip->sip_request || (sip->sip_to && sip->sip_to->a_tag)) return false;
  const sip_method_t method = sip->sip_request->rq_method;
  const bool counted = method != sip_method_invite && method != sip_method_cancel && method != sip_method_ack;
  const std::string ip = ip_of(msg_addr(msg));
  const auto now = std::chrono::steady_clock::now();
  const auto verdict = admission_.screen(ip, now, counted);
  if (verdict == AdmissionGuard::Verdict::kNewBan) {
    log_new_ban(ip, sip->sip_request->rq_method_name ? sip->sip_request->rq_method_name : "request", now);
  }
  return verdict != AdmissionGuard::Verdict::kAdmit;
}

namespace {
bool screen_out(msg_t* msg) {
  return t_screen && t_screen->screen_out(msg);
}
}  // namespace

}  // namespace confpro::sip

// sofia-sip hands every message it has read and parsed to the stack (nta) through tport_base_deliver; nta
// would then create a transaction, a nua handle and an event for each, and answer 100 Trying. A banned
// source's requests stop here instead: freed, unanswered, before any of that (the flood costs a read and a
// parse). Called through the library's PLT, so this definition (exported from the executable:
// src/sip/CMakeLists.txt) takes its place; everything else goes on to sofia's.
// Why an interposition (issue 13 asked; docs/architecture.md "Library internals we override"): sofia-sip 1.12
// has no public hook between a parsed message and nta. tport_base_deliver is declared only in the private
// tport_internal.h; tport_tag.h offers no receive filter (TPTAG_* are transport settings); nua owns the nta
// agent, so nta_agent_create's message callback (stateless mode) is not ours; NUTAG/NTATAG have no screen either.
// Screening later (in nua's callback) would still cost a transaction, a handle and a 100 Trying per request.
extern "C" void tport_base_deliver(tport_t* self, msg_t* msg, su_time_t now) {
  using Deliver = void (*)(tport_t*, msg_t*, su_time_t);
  static const auto sofia = reinterpret_cast<Deliver>(dlsym(RTLD_NEXT, "tport_base_deliver"));
  if (confpro::sip::screen_out(msg)) {
    msg_destroy(msg);
    return;
  }
  if (sofia) sofia(self, msg, now);
}
