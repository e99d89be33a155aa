// Outbound calls through the trunk: admission (dial plan, limits) on the caller's thread, then INVITE with our
// offer, digest authentication, progress, answer and ring timeout on the SIP thread.
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/url.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "sip/endpoint_impl.h"
#include "spdlog/spdlog.h"
#include "common/thread_annotations.h"

namespace confpro::sip {
namespace {

std::string sanitize_display(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(),
                         [](char c) { return c == '"' || c == '\\' || c == '<' || c == '>' || c < 0x20; }),
          s.end());
  return s.substr(0, 64);
}

// "sip:host:port;params" → "host:port"
std::string host_of_uri(const std::string& uri) {
  std::string rest = uri;
  if (auto colon = rest.find(':'); colon != std::string::npos && rest.compare(0, 3, "sip") == 0) {
    rest = rest.substr(colon + 1);
  }
  if (auto at = rest.find('@'); at != std::string::npos) rest = rest.substr(at + 1);
  return rest.substr(0, rest.find_first_of(";>?"));
}

// realm="x" from a challenge, quotes kept, as NUTAG_AUTH wants it.
std::string realm_of(const msg_auth_t* au) {
  for (; au; au = au->au_next) {
    for (const msg_param_t* p = au->au_params; p && *p; ++p) {
      if (strncasecmp(*p, "realm=", 6) == 0) return std::string(*p + 6);
    }
  }
  return {};
}

}  // namespace

Result<CallId> SofiaEndpoint::dial(const DialRequest& request) {
  if (options_.trunk.proxy_uri.empty()) return Error::precondition("dial-out is not configured (sip.trunk)");
  if (request.conference_tag.empty()) return Error::invalid("conference_tag", "is required");
  std::shared_ptr<const DialPlan> plan;
  {
    MutexLock lock(plan_mu_);
    plan = plan_;
  }
  auto digits = check_dial_number(request.number, options_.number_rules, *plan);
  if (!digits.ok()) return digits.error();
  if (!request.caller_id.empty() && !is_digits(request.caller_id)) {
    return Error::invalid("caller_id", "must contain digits only");
  }
  if (auto st = dial_limiter_.acquire(request.conference_tag, std::chrono::steady_clock::now()); !st.ok()) {
    return st.error();
  }
  const CallId id{next_call_id_++};
  {
    MutexLock lock(post_mu_);
    if (!posts_open_) {
      dial_limiter_.release(request.conference_tag);
      return Error::unavailable("SIP endpoint is stopped");
    }
  }
  post([this, id, request, d = std::move(digits).value()] { do_dial(id, request, d); });
  return id;
}

void SofiaEndpoint::do_dial(CallId id, DialRequest request, std::string digits) {
  if (shutting_down_ || live_calls_.load() >= options_.max_calls) {
    dial_limiter_.release(request.conference_tag);
    log_->warn("call={} dial-out refused: {}", id.value(), shutting_down_ ? "shutting down" : "too many calls");
    handler_.on_ended(id, shutting_down_ ? "shutdown" : "max-calls");
    return;
  }
  const TrunkOptions& trunk = options_.trunk;
  const std::string domain = trunk.domain.empty() ? host_of_uri(trunk.proxy_uri) : trunk.domain;
  const std::string request_uri = "sip:" + digits + "@" + domain;
  const std::string to = "<" + request_uri + ">";
  std::string caller = request.caller_id.empty() ? trunk.caller_id : request.caller_id;
  if (caller.empty()) caller = "anonymous";
  std::string host = options_.public_address.empty() ? media_address() : options_.public_address;
  std::string from = "<sip:" + caller + "@" + host + ">";
  const std::string display = sanitize_display(request.display_name);
  if (!display.empty()) from = "\"" + display + "\" " + from;
  const std::string transport =
      trunk.proxy_uri.find("transport=tcp") != std::string::npos ? "tcp" : "udp";

  nua_handle_t* nh = nua_handle(nua_, nullptr, SIPTAG_TO_STR(to.c_str()), SIPTAG_FROM_STR(from.c_str()),
                                NUTAG_PROXY(trunk.proxy_uri.c_str()), TAG_END());
  if (!nh) {
    dial_limiter_.release(request.conference_tag);
    handler_.on_ended(id, "internal-error");
    return;
  }
  Call& c = add_call(id, nh);
  c.outbound = true;
  c.state = Call::State::kOutgoing;
  c.conference_tag = request.conference_tag;
  c.request_uri = request_uri;
  c.transport = transport;
  c.local.address = media_address();
  c.local.session_id = std::random_device{}();
  c.local.version = 1;
  if (policy_.srtp == SrtpPolicy::kRequired) c.local.crypto_key_b64 = make_srtp_key();

  media::SessionParams params;
  params.local_ip = media_address();
  params.codec.kind = policy_.codecs.front();
  params.label = "call=" + std::to_string(id.value());
  params.near_room = request.near_room;
  auto session = media_.create_session(params);
  if (!session.ok()) {
    log_->error("call={} dial-out: no media session: {}", id.value(), session.error().message);
    c.end_cause = "media-error";
    on_terminated(c, 0);
    return;
  }
  c.media = session->id;
  c.local.port = session->local_port;
  c.last_sdp = build_offer(policy_, c.local);
  const std::string contact = contact_for(transport);
  log_->info("call={} dial-out to={} via={} tag={}", id.value(), request_uri, trunk.proxy_uri,
             request.conference_tag);
  nua_invite(nh, NUTAG_URL(request_uri.c_str()), SIPTAG_CONTACT_STR(contact.c_str()),
             SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(c.last_sdp.c_str()), TAG_END());
}

void SofiaEndpoint::on_invite_response(Call& c, int status, const char* phrase, const sip_t* sip) {
  const std::string reason = phrase ? phrase : "";
  if (status < 200) {
    if (status > 100 && c.state == Call::State::kOutgoing) handler_.on_progress(c.id, status, reason);
    return;
  }
  if ((status == 401 || status == 407) && !options_.trunk.username.empty() && c.auth_attempts < 2 && sip) {
    ++c.auth_attempts;
    const std::string realm =
        realm_of(status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate);
    const std::string auth = "Digest:" + realm + ":" + options_.trunk.username + ":" + options_.trunk.password;
    log_->info("call={} authenticating to the trunk (realm {})", c.id.value(), realm);
    nua_authenticate(c.nh, NUTAG_AUTH(auth.c_str()), TAG_END());
    return;
  }
  if (status >= 300) {
    log_->info("call={} dial-out failed {} {}", c.id.value(), status, reason);
    if (c.end_cause.empty()) c.end_cause = "sip-" + std::to_string(status);
    handler_.on_progress(c.id, status, reason);
    return;  // nua reports termination next
  }
  if (c.state != Call::State::kOutgoing) return;  // a retransmitted or forked 2xx
  auto answer = parse_sdp(payload_of(sip));
  auto chosen = answer.ok() ? read_answer(*answer, policy_) : Result<Negotiated>(answer.error());
  if (!chosen.ok()) {
    log_->warn("call={} answer unusable: {}", c.id.value(), chosen.error().message);
    c.end_cause = "no-common-codec";
    c.state = Call::State::kEstablished;
    send_bye(c);
    return;
  }
  c.remote = std::move(answer).value();
  c.negotiated = std::move(chosen).value();
  if (auto st = media_.update_session(c.media, session_params(c)); !st.ok()) {
    log_->warn("call={} media update failed: {}", c.id.value(), st.error().message);
  }
  c.state = Call::State::kEstablished;
  if (!c.answered_reported) answered_out_.fetch_add(1, std::memory_order_relaxed);
  c.answered_reported = true;
  log_->info("call={} dial-out answered codec={}", c.id.value(), media::to_string(c.negotiated.codec.kind));
  handler_.on_answered(c.id, c.media);
}

}  // namespace confpro::sip
