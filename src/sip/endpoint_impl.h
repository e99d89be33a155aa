// Private to sip/: the sofia-sip endpoint behind SipEndpoint. One object owns the SIP thread, the su_root, the
// nua instance and the call table.
// Thread safety: the public SipEndpoint methods run on any thread and only post() closures; every member below
// "SIP thread only" is touched by the SIP thread alone (created, used and destroyed there). post_mu_ guards the
// post queue; live_calls_ is atomic.
#pragma once

#include <sofia-sip/nua.h>
#include <sofia-sip/su_wait.h>

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sip/limits.h"
#include "sip/numbers.h"
#include "sip/sdp.h"
#include "sip/sdp_negotiate.h"
#include "sip/sip_endpoint.h"
#include "common/thread_annotations.h"

namespace spdlog { class logger; }

namespace confpro::sip {

struct Call {
  enum class State { kRinging, kAnswering, kEstablished, kOutgoing };
  CallId id;
  nua_handle_t* nh = nullptr;
  bool outbound = false;
  State state = State::kRinging;
  SdpDescription remote;            // the peer's last offer (incoming) or answer (outbound)
  Negotiated negotiated;
  MediaSessionId media;             // invalid until a session exists
  LocalSdp local;
  std::string last_sdp;             // our last SDP sent, re-sent for offerless re-INVITEs
  std::string transport = "udp";
  std::string end_cause;            // set when the cause is known before nua reports termination
  std::string conference_tag;       // outbound: for the dial-out limiter
  std::string request_uri;          // outbound
  SteadyTime started{};
  int auth_attempts = 0;
  bool answered_reported = false;
  SteadyTime answered_at{};   // incoming: when our 200 went out (kAnswering until the ACK)
  bool bye_sent = false;  // a BYE is under way (ours, or the stack's own): never a second one on the handle
  SteadyTime bye_at{};    // when it started
  bool late_offer = false;    // incoming INVITE without SDP: our 200 carries the offer
  bool offer_in_200 = false;  // our last 200 carried an offer; the answer comes in the ACK (RFC 3261 13.2.1)
  bool ipv6 = false;          // incoming over IPv6: our SDP, Contact and RTP use listen_address6
};

class SofiaEndpoint final : public SipEndpoint {
 public:
  SofiaEndpoint(SipOptions options, NegotiationPolicy policy, DialPlan plan, media::MediaEngine& media,
                CallHandler& handler);
  ~SofiaEndpoint() override;

  Status start();  // starts the SIP thread; returns once nua is bound (or failed)

  void accept(CallId call, RoomId near_room) override;
  using SipEndpoint::accept;
  void reject(CallId call, int status, const std::string& reason) override;
  void hangup(CallId call, const std::string& cause) override;
  Result<CallId> dial(const DialRequest& request) override;
  void stop() override;
  std::uint16_t bound_port() const override { return options_.port; }
  int live_calls() const override { return live_calls_.load(); }
  void drain() override;
  bool draining() const override { return draining_.load(); }
  std::uint64_t calls_answered_in() const override { return answered_in_.load(std::memory_order_relaxed); }
  std::uint64_t calls_answered_out() const override { return answered_out_.load(std::memory_order_relaxed); }
  Status set_dial_plan(const std::vector<std::string>& patterns) override;

  // --- SIP thread only (called from the nua callback and posted closures) ---
  void on_nua_event(nua_t* nua, nua_event_t event, int status, const char* phrase, nua_handle_t* nh, const sip_t* sip,
                    tagi_t tags[]);
  // True when sofia's stack should never see `msg`: a request out of dialog from a banned source, or one that
  // went over its source's rate (endpoint_incoming.cpp; called by our tport_base_deliver).
  bool screen_out(msg_t* msg);

 private:
  void post(std::function<void()> fn);
  void run_thread(std::promise<Status>& started);
  static int on_wakeup(su_root_magic_t* magic, su_wait_t* wait, su_wakeup_arg_t* arg);
  static void on_tick(su_root_magic_t* magic, su_timer_t* timer, su_timer_arg_t* arg);
  void drain_posts();
  void begin_shutdown();
  void release_dropped(SteadyTime now, bool all);
  void log_admission_summary(SteadyTime now);  // once a second: what the bans dropped (endpoint_incoming.cpp)
  void log_new_ban(const std::string& ip, const char* request, SteadyTime now);
  void check_call_deadlines(SteadyTime now);  // ring timeouts, missing ACKs of our 200s, stuck BYEs
  void close_silent_connections();            // TCP connections that never sent a byte (tcp_guard.h)
  void finish_shutdown();

  // endpoint_incoming.cpp
  void on_new_invite(nua_handle_t* nh, const sip_t* sip);
  void on_reinvite(Call& call, const sip_t* sip);
  void on_update(Call& call, const sip_t* sip);
  void on_info(nua_handle_t* nh, const sip_t* sip);
  void on_options(nua_handle_t* nh, const sip_t* sip);
  void do_accept(CallId id, RoomId near_room);
  void do_reject(CallId id, int status, const std::string& reason);
  void do_hangup(CallId id, const std::string& cause);
  Status answer_offer(Call& call, const std::string& offer_body, int& status_out);
  void on_ack(Call& call, const sip_t* sip);
  // endpoint_outgoing.cpp
  void do_dial(CallId id, DialRequest request, std::string digits);
  void on_invite_response(Call& call, int status, const char* phrase, const sip_t* sip);

  // shared helpers (sip_endpoint.cpp)
  Call* find(CallId id);
  Call* find(nua_handle_t* nh);
  Call& add_call(CallId id, nua_handle_t* nh);
  void on_terminated(Call& call, int status);
  void send_bye(Call& call);  // at most one BYE per call
  media::SessionParams session_params(const Call& call) const;
  std::string contact_for(const std::string& transport, bool ipv6 = false) const;
  std::string media_address(bool ipv6 = false) const;
  nua_t* create_nua(const std::string& url, const std::string& sips_url, const std::string& tls_dir);

  SipOptions options_;
  NegotiationPolicy policy_;
  Mutex plan_mu_;
  std::shared_ptr<const DialPlan> plan_ GUARDED_BY(plan_mu_);  // replaced whole by set_dial_plan()
  media::MediaEngine& media_;
  CallHandler& handler_;
  std::shared_ptr<spdlog::logger> log_;
  DialOutLimiter dial_limiter_;
  std::atomic<std::uint64_t> next_call_id_{1};
  std::atomic<int> live_calls_{0};
  std::atomic<bool> draining_{false};
  std::atomic<std::uint64_t> answered_in_{0}, answered_out_{0};

  std::thread thread_;
  int wake_fd_ = -1;
  Mutex post_mu_;
  std::vector<std::function<void()>> posts_ GUARDED_BY(post_mu_);
  bool posts_open_ GUARDED_BY(post_mu_) = false;
  Mutex stop_mu_;                         // serializes stop()
  bool stopped_ GUARDED_BY(stop_mu_) = false;

  // --- SIP thread only ---
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;         // listen_address (and TLS); dial-outs
  nua_t* nua6_ = nullptr;        // listen_address6, when set (one NUTAG_URL per nua: pitfall 13)
  nua_t* event_nua_ = nullptr;   // the nua whose event is being handled (responses go through it)
  int shutdowns_pending_ = 0;    // nua instances not yet shut down
  std::uint64_t ticks_ = 0;      // on_tick calls
  su_timer_t* tick_ = nullptr;
  su_wait_t wait_{};
  bool shutting_down_ = false;
  AdmissionGuard admission_;
  int ban_logs_this_second_ = 0;  // "banned" warnings logged since the last tick (the rest go in the summary)
  std::unordered_map<std::uint64_t, Call> calls_;
  std::unordered_map<nua_handle_t*, std::uint64_t> by_handle_;
  // Over-rate INVITEs left unanswered (drop_over_rate), destroyed 40 s later; bounded, beyond it 503.
  static constexpr std::size_t kMaxDroppedInvites = 20000;
  static constexpr int kBanLogsPerSecond = 10;
  std::deque<std::pair<SteadyTime, nua_handle_t*>> dropped_;
};

// While alive, every message sofia reads on this thread passes SofiaEndpoint::screen_out first (our
// tport_base_deliver, endpoint_incoming.cpp). One per SIP thread.
class AdmissionScreen {
 public:
  explicit AdmissionScreen(SofiaEndpoint* endpoint);
  ~AdmissionScreen();
  AdmissionScreen(const AdmissionScreen&) = delete;
  AdmissionScreen& operator=(const AdmissionScreen&) = delete;
};

// Small helpers on sofia's parsed messages (sip_message_util.cpp).
std::string source_address(nua_t* nua);              // "ip:port" of the current request, "" if unknown
std::string source_ip(nua_t* nua);
std::string via_transport(const sip_t* sip);         // "udp" | "tcp" | "tls" | …
std::string payload_of(const sip_t* sip);            // body text, "" when none
std::string content_type_of(const sip_t* sip);       // "type/subtype" lower-case, "" when none
std::string unquote(const char* display);

}  // namespace confpro::sip
