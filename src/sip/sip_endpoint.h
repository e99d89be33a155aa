// The SIP endpoint (ARCHITECTURE.md sip/): sofia-sip's stack on its own thread, our own SDP offer/answer,
// dialogs, transports and the dial-out trunk. It decides nothing about conferences: it reports calls to a
// CallHandler and carries out the commands it is given.
//
// Thread safety:
// - SipEndpoint: every public method may be called from any thread; each posts to the SIP thread and returns at
//   once (dial() checks the dial plan and limits on the calling thread before posting). stop() blocks until the
//   SIP thread has finished (BYE to live calls, nua shut down) and is idempotent; call it before destroying.
// - CallHandler: called on the SIP thread only. Implementations must only post onward (to the control loop) and
//   must not block; they MAY call SipEndpoint methods (those only post), they must not call stop().
// - media::MediaEngine is used from the SIP thread (create/update/destroy_session); it must outlive the endpoint.
// Every log line about a call leg carries `call=<id>`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/strong_id.h"
#include "domain/phone.h"
#include "media/media_engine.h"

namespace confpro::sip {

enum class SrtpPolicy {
  kOff,       // never offer or accept a=crypto; RTP/SAVP offers without RTP/AVP alternative → 488
  kOptional,  // accept SDES when offered (RTP/SAVP), plain RTP otherwise
  kRequired,  // plain RTP offers → 488
};

// A number normalization rule ([[sip.number_rules]]): the caller, the number dialled and a number dialled out
// are normalized by the one phone normaliser, domain::normalize_phone (domain/phone.h), with these rules.
using NumberRule = domain::NumberRule;

// The dial-out trunk (outbound calls only go there).
struct TrunkOptions {
  std::string proxy_uri;      // outbound proxy / gateway, e.g. "sip:127.0.0.1:5080" ["" = dial-out disabled]
  std::string domain;         // host part of the Request-URI ["" = the proxy's host:port]
  std::string username;       // digest authentication user ["" = no authentication]
  std::string password;       // digest password [""]
  std::string caller_id;      // caller number presented in From when the request gives none ["anonymous"]
};

struct DialOutLimits {
  int max_concurrent_per_conference = 5;   // live dial-outs per conference tag [5]
  int max_per_hour_per_conference = 30;    // dial-outs started per conference tag in any 60 min window [30]
  int max_concurrent_total = 50;           // live dial-outs for the whole node [50]
};

struct SipOptions {
  std::string listen_address = "0.0.0.0";   // UDP and TCP bind address ["0.0.0.0"]
  // An IPv6 address to listen on too (UDP and TCP, same port), e.g. "::1" ["" = none]. Calls that arrive over
  // IPv6 get IPv6 media: our SDP (IN IP6) and Contact show this address, RTP binds to it.
  std::string listen_address6;
  std::uint16_t port = 5060;                 // UDP and TCP port [5060]; must be 1-65535
  std::uint16_t tls_port = 5061;             // TLS port [5061], only used when tls_cert_file is set
  std::string tls_cert_file;                 // PEM certificate (+chain) ["" = no TLS]
  std::string tls_key_file;                  // PEM private key [""]
  std::string public_address;                // address advertised in Contact and SDP (NAT) ["" = listen
                                             // address, or 127.0.0.1 when that is 0.0.0.0]
  std::string media_address;                 // address RTP binds to and SDP c= shows ["" = public address]
  std::string user_agent = "ConferencePro";  // User-Agent / Server header ["ConferencePro"]
  // Audio codec preference, best first: names "PCMU", "PCMA", "G722", "opus" [all four in that order].
  // telephone-event is always offered/accepted when the peer has it.
  std::vector<std::string> codecs = {"PCMU", "PCMA", "G722", "opus"};
  int ptime_ms = 20;                         // packet time we ask for [20]
  SrtpPolicy srtp = SrtpPolicy::kOptional;   // [optional]
  int max_calls = 1000;                      // concurrent calls (in + out); beyond: 503 + Retry-After [1000]
  int retry_after_s = 5;                     // Retry-After value sent with 503 [5]
  // New INVITEs (and other requests out of dialog: OPTIONS, REGISTER…) per second per source IP [20]; 0 =
  // unlimited.
  double invite_rate_per_source = 20;
  double invite_burst_per_source = 40;       // bucket size [40]
  bool drop_over_rate = false;               // INVITE that starts a ban: 503 (false) or no answer [false]
  int ban_s = 60;                            // a source over the rate is banned this long [60 s] …
  int max_ban_s = 3600;                      // … doubled at each repeat offence, up to this [3600 s]
  // Trunks and proxies (addresses or CIDR networks, e.g. ["192.0.2.10", "10.1.0.0/16"]): exempt from the
  // per-source limits above and max_ivr_calls_per_source (they carry many callers), and the only sources
  // whose P-Asserted-Identity is believed; from others the caller is taken from From [none].
  std::vector<std::string> trusted_peers;
  // Calls from one untrusted source answered but not yet in a conference (in the IVR) at once; more get 503
  // [10]; 0 = no limit. Applied by the conference service.
  int max_ivr_calls_per_source = 10;
  int session_timer_s = 1800;                // RFC 4028 Session-Expires we ask for [1800]; 0 = off
  int min_session_timer_s = 90;              // Min-SE [90]
  int udp_rmem_bytes = 4 * 1024 * 1024;      // UDP receive buffer [4 MiB] (pitfall 7)
  int udp_wmem_bytes = 1 * 1024 * 1024;      // UDP send buffer [1 MiB]
  // TCP/TLS connections (slow-loris): one whose message in progress receives nothing more for this long, or that
  // has sent nothing at all since it opened, is closed [30 s]; one with no message in progress, no transaction
  // and no traffic for tcp_idle_timeout_s is closed too [300 s] (a caller whose connection went reconnects for
  // its next request).
  int tcp_message_timeout_s = 30;
  int tcp_idle_timeout_s = 300;
  std::vector<NumberRule> number_rules;      // caller/dialled number normalization [none]
  TrunkOptions trunk;                        // [dial-out disabled]
  // Dial plan: ECMAScript regexes each matched against the whole normalized digit string; a dial-out is allowed
  // only when one matches [empty = nothing may be dialled].
  std::vector<std::string> dial_plan;
  DialOutLimits dial_limits;
  std::chrono::seconds ring_timeout{60};     // outbound calls not answered by then are cancelled [60 s]
  bool trace_sip = false;                    // log every SIP message at debug level [false]
};

// An incoming INVITE, reported before anything but 100 Trying was sent.
struct IncomingCall {
  CallId call;
  std::string dialled;          // Request-URI user part, as received (e.g. "+33123456789" or "800")
  std::string dialled_digits;   // dialled, normalized by number_rules ("" if it has no digits)
  std::string caller_number;    // from P-Asserted-Identity (trusted peers only), else From; normalized ("" if
                                // anonymous)
  std::string display_name;     // display name of PAI/From ("" when none)
  std::string remote_address;   // "ip:port" the INVITE came from
  std::string source_ip;        // its address alone ("192.0.2.7", "::1"): what per-source limits key on
  bool trusted_peer = false;    // source_ip is in sip.trusted_peers: caller_number may come from its PAI; one
                                // address carries many callers
  std::string transport;        // "udp" | "tcp" | "tls"
  media::CodecSpec codec;       // what the answer will select
  bool srtp = false;            // SDES will be used
};

class CallHandler {
 public:
  virtual ~CallHandler() = default;
  // A new incoming call; answer it later with accept() or reject(). Unanswered calls ring (180) meanwhile.
  virtual void on_incoming(const IncomingCall& call) = 0;
  // Media flows: our 200 was ACKed (incoming), or the far end answered (outbound, after dial()).
  virtual void on_answered(CallId call, MediaSessionId session) = 0;
  // A DTMF digit from SIP INFO (application/dtmf-relay or application/dtmf). RFC 4733 digits come from media/.
  virtual void on_dtmf(CallId call, char digit) = 0;
  // Outbound calls only: provisional (180/183) and final failure statuses, before on_ended.
  virtual void on_progress(CallId call, int status, const std::string& reason) = 0;
  // The call is over (BYE either way, CANCEL, failure, timeout, stop). No event follows for this id; its media
  // session, if any, has been destroyed already. cause: "caller-bye", "server-bye", "cancelled", "rejected",
  // "timeout", "sip-<status>", "shutdown", "media-error", …
  virtual void on_ended(CallId call, const std::string& cause) = 0;
};

struct DialRequest {
  std::string number;           // number to dial; normalized, must then be digits only and match the dial plan
  std::string caller_id;        // number to present ["" = trunk.caller_id]
  std::string display_name;     // display name to present [""]
  std::string conference_tag;   // key for the per-conference limits (e.g. the conference number); required
  RoomId near_room;             // the media room the callee will join (its session is made on that room's worker)
};

class SipEndpoint {
 public:
  virtual ~SipEndpoint() = default;

  // Answers an incoming call: creates its media session through the MediaEngine and sends 200 with our SDP.
  // on_answered follows when the ACK arrives; on_ended if it cannot be answered any more.
  // `near_room`: the media room the caller is going to join when already known (a conference number whose
  // conference is live): the media session is made on that room's worker (media::SessionParams::near_room).
  virtual void accept(CallId call, RoomId near_room) = 0;
  void accept(CallId call) { accept(call, RoomId{}); }
  // Refuses an unanswered incoming call with `status` (4xx–6xx). on_ended(call, "rejected") follows.
  virtual void reject(CallId call, int status, const std::string& reason) = 0;
  // Ends a call in any state (BYE, CANCEL or a final answer); on_ended(call, cause) follows.
  virtual void hangup(CallId call, const std::string& cause) = 0;
  // Starts an outbound call through the trunk. Fails at once (nothing sent) when the trunk is not configured,
  // the number is not digits-only after normalization, matches no dial-plan pattern, or a limit is reached.
  // Progress arrives through on_progress / on_answered / on_ended with the returned id.
  virtual Result<CallId> dial(const DialRequest& request) = 0;
  // Ends every call (BYE / CANCEL / 503), shuts nua down and joins the SIP thread. Idempotent.
  virtual void stop() = 0;

  virtual std::uint16_t bound_port() const = 0;  // the UDP/TCP port bound (= SipOptions::port)
  virtual int live_calls() const = 0;            // calls not yet ended (any thread; approximate)

  // Operations (issue 18 item 6). drain(): the node is going away — from now on new INVITEs out of dialog get
  // 503 "Draining" (with Retry-After) and OPTIONS out of dialog 503, so a dispatcher (Kamailio) that pings
  // with OPTIONS stops sending new calls here; live calls and their in-dialog requests go on. Not undone;
  // stop() still ends what is left. The defaults (test doubles) do nothing.
  virtual void drain() {}
  virtual bool draining() const { return false; }
  // Calls answered since start (any thread): incoming ones whose 200 was ACKed, dial-outs the far end
  // answered.
  virtual std::uint64_t calls_answered_in() const { return 0; }
  virtual std::uint64_t calls_answered_out() const { return 0; }
  // Replaces the dial plan (SipOptions::dial_plan) for the dial-outs asked from now on (SIGHUP reload). Any
  // thread. kInvalidArgument naming the bad pattern (the plan in force is kept).
  virtual Status set_dial_plan(const std::vector<std::string>& patterns) {
    (void)patterns;
    return Error::precondition("this SIP endpoint cannot change its dial plan");
  }
};

// Starts the SIP thread and binds the transports. Errors: kInvalidArgument for bad options (codec name, regex,
// TLS files), kUnavailable when a port cannot be bound.
Result<std::unique_ptr<SipEndpoint>> start_sip_endpoint(const SipOptions& options, media::MediaEngine& media,
                                                        CallHandler& handler);

}  // namespace confpro::sip
