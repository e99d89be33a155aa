// Internal state of ConferenceService (control loop only). See conference_service.h for the contract.
#pragma once

#include <deque>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "common/log.h"
#include "conference/conference_service.h"
#include "conference/call_core.h"
#include "conference/pin_guard.h"
#include "conference/room.h"
#include "common/worker_pool.h"
#include "conference/session_writer.h"

namespace confpro::conference {


// One SIP call leg, from INVITE to its end: its rules (call_core.h) and what the executor keeps to carry out
// their effects — the SIP call, the media session, the IVR flow and its host, the timers.
struct Call {
  explicit Call(CallCore c) : core(std::move(c)) {}
  CallCore core;
  CallId id;
  sip::IncomingCall incoming;             // for dial-outs: number/dialled filled in
  MediaSessionId media;
  domain::Language language = domain::Language::kFrench;
  std::string access_number;              // "" for direct/dial-out
  std::optional<domain::Booking> direct;  // conference dialled directly, or the one invited to
  std::unique_ptr<ivr::FlowHost> host;
  std::unique_ptr<ivr::Flow> flow;
  std::map<CallTimer, EventLoop::TimerId> timers;
  std::string name_file;                  // announce recording
  std::string pin;                        // the PIN admitted (names a personal-PIN invitee in the history)
  // In a conference:
  BookingId booking;
  ParticipantId participant;
  std::string invite_id;
  std::vector<std::string> intro;         // invite: what the invitee hears first (keys or WAV paths)
  bool awaiting_claim = false;            // entering, held until this node's claim of the conference is known
};

// A live conference on this node: its rules (room.h) and what the executor keeps to carry out their effects —
// the media room, the history keys, the timers, and each participant's call and media session.
struct RoomLink {
  struct Member {
    CallId call;
    MediaSessionId media;
    // The participant's, copied at entry: a goodbye may be played to a member the room has already let go.
    domain::Language language = domain::Language::kFrench;
    SessionWriter::Key connection = 0;  // 0 until the room is opened
    EventLoop::TimerId star_timer = 0;
  };
  explicit RoomLink(Room r) : room(std::move(r)) {}
  Room room;
  RoomId media_room;
  SessionWriter::Key session = 0;  // 0 until opened (wait-for-leader lobby)
  std::string recording_path;
  std::map<ParticipantId, Member> members;
  std::map<RoomTimer, EventLoop::TimerId> timers;  // the room's timers but kStarKey (Member::star_timer)
  std::vector<LiveInvite> invites;  // the latest invites by number, oldest first (snapshot, console)
};

class ConferenceService::Impl {
 public:
  Impl(ConferenceService& owner, EventLoop& loop, WorkerPool& work, const Clock& clock, store::Store& store,
       booking::BookingService& bookings, directory::Directory& directory, media::MediaEngine& media,
       const ivr::PromptCatalog& prompts, ServiceOptions options);

  // --- calls (service_calls.cpp)
  void incoming(const sip::IncomingCall& in);
  // The booking of a conference number dialled by call `id` was read.
  void routed(CallId id, Result<domain::Booking> booking);
  // Carries out `effects` of call `id` in order (call_core.h); stops when the call is forgotten.
  void run(CallId id, CallEffects effects);
  void run_one(Call& call, CallEffect& effect);
  void start_flow(Call& call);
  int calls_before_conference(const std::string& ip) const;
  void answered(CallId id, MediaSessionId session);
  void dtmf(CallId id, char digit);
  void progress(CallId id, int status, const std::string& reason);
  void ended(CallId id, const std::string& cause);
  void media_event(const media::Event& event);
  Call* find_call(CallId id);
  Call* find_call_by_media(MediaSessionId id);
  void play_keys(Call& call, const std::vector<std::string>& keys, std::uint64_t tag);
  void play_files(Call& call, std::vector<std::string> files, std::uint64_t tag, bool loop = false);
  void arm(Call& call, CallTimer timer, std::chrono::milliseconds after);
  void disarm(Call& call, CallTimer timer);
  void hangup(Call& call, const std::string& reason);
  std::vector<std::string> files_for(const std::vector<std::string>& keys, domain::Language language);
  // --- invites by number (service_calls.cpp): records the invite's new state in its room and tells the console.
  void invite_update(const Call& call, const std::string& state, const std::string& reason = "");
  // How many invite legs of `booking` are dialling or in their intro (places they may take).
  int invites_pending(BookingId booking) const;
  // Hangs up the invite legs of `booking` that have not joined (the conference ended).
  void drop_invites(BookingId booking);

  // --- rooms (service_rooms.cpp): the executor of the rooms' effects (room.h).
  // Whether the caller may enter now: the live room's rules, or the booking's own when no room is live here.
  domain::JoinOutcome admit(const domain::Booking& booking, domain::Role role, const std::string& pin,
                            const std::string& caller);
  // `booking` is usually the caller's flow's own copy, which entering destroys (the flow is dropped): it is read
  // only before the call's core is told it entered.
  void enter(Call& call, const domain::Booking& booking, domain::Role role, const std::string& name_file);
  void leave(Call& call, const std::string& reason);
  void end_room(BookingId id, domain::EndReason reason, const std::string& actor);
  void in_call_key(Call& call, char digit);
  // Carries out `effects` of room `id` in order (and what they cause in turn: a recording that cannot start).
  void apply(BookingId id, Effects effects);
  void apply_one(RoomLink& link, const Effect& effect, Effects& more, bool& closed);
  void arm(BookingId id, RoomLink& link, const effect::Arm& a);
  // Runs a store write of room `id` off the control loop, in order with the room's other writes; the stored
  // booking comes back to the room.
  void store_then(BookingId id, std::function<Result<domain::Booking>()> write, std::string what);
  void play_to(const RoomLink::Member& m, const std::vector<std::string>& keys);
  // `pins`: also the participant and moderator PINs (only to the booking's creator, by phone).
  std::vector<std::string> describe(const domain::Booking& b, domain::Language language, bool pins = false);
  RoomLink* find_room(BookingId id);
  LiveConference snapshot(const RoomLink& link) const;
  void emit(ConferenceEvent event);
  std::chrono::milliseconds real_delay_until(TimePoint t) const;
  // The caller numbers of every stored connection of `booking` (all its sessions); nullopt when the store fails.
  // Store reads only (thread-safe): CallHost runs it on the work pool, the first time a conference is closed to
  // new callers.
  std::optional<std::vector<std::string>> numbers_that_entered(BookingId booking);
  void audit(const std::string& actor, const std::string& action, const std::string& target,
             const std::string& details);
  RoomOptions room_options() const;
  // Whether a room of `booking` ended on this node (it is never made again: no ghost conference).
  bool ended_here(BookingId booking) const;

  // --- claims (service_claims.cpp; ServiceOptions::claims): which node hosts a conference. The store calls run
  // on claims_ (one thread: a release and a later claim of the same conference stay in order).
  // Whether `booking`'s room may be made here now (claims off, or this node holds its claim).
  bool may_host(BookingId booking) const;
  // Holds `call` until this node's claim of `booking` is answered, then enters it or sends it to the owner.
  void wait_for_claim(Call& call, const domain::Booking& booking, domain::Role role, const std::string& name_file);
  void claim_answered(BookingId booking, const Result<store::ConferenceClaim>& claim);
  // The caller of a conference another live node hosts. For now: told so and hung up; issue 18 item 2 moves
  // the call there (REFER through the proxy, or a redirect) without dialling again.
  void hosted_elsewhere(Call& call, const store::ConferenceClaim& owner);
  // The room of `booking` closed: its claim is given back.
  void release_claim(BookingId booking, const std::string& number);
  void renew_claims_later();

  // --- control (service_control.cpp): run `fn` on the loop and wait for its result.
  template <typename T>
  T on_loop(std::function<T()> fn, T fallback);

  ConferenceService& owner_;
  EventLoop& loop_;
  WorkerPool& work_;  // store, directory and hashing calls, answered back on loop_
  const Clock& clock_;
  store::Store& store_;
  booking::BookingService& bookings_;
  directory::Directory& directory_;
  media::MediaEngine& media_;
  const ivr::PromptCatalog& prompts_;
  ServiceOptions options_;
  sip::SipEndpoint* sip_ = nullptr;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<SessionWriter> writer_;  // sessions and connections, written off the loop

  std::unordered_map<CallId, std::unique_ptr<Call>> calls_;
  std::unordered_map<MediaSessionId, CallId> call_by_media_;
  std::map<BookingId, std::unique_ptr<RoomLink>> rooms_;
  std::deque<BookingId> ended_here_;  // rooms that ended on this node (latest 1000): never made again (ghosts)
  WorkerPool room_writes_{1, "confpro-rooms"};  // the rooms' booking writes, in order, off the control loop
  // Claims (service_claims.cpp): the callers held per conference while its claim is asked; the conferences
  // this node holds; the renewal timer (0 = not armed); the claim calls' thread.
  struct ClaimWaiter {
    CallId call;
    domain::Booking booking;
    domain::Role role;
    std::string name_file;
  };
  std::map<BookingId, std::vector<ClaimWaiter>> claim_waiters_;
  std::set<BookingId> claimed_;
  EventLoop::TimerId renew_timer_ = 0;
  WorkerPool claims_{1, "confpro-claims"};
  std::unordered_map<RoomId, BookingId> room_by_media_;
  PinThrottle pin_throttle_;
  std::uint64_t next_participant_ = 1;
  std::uint64_t next_tag_ = 1ull << 50;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_invite_ = 1;
  std::map<ControlApi::SubscriptionId, ControlApi::Subscriber> subscribers_;
  ControlApi::SubscriptionId next_subscription_ = 1;
  bool stopping_ = false;
};

template <typename T>
T ConferenceService::Impl::on_loop(std::function<T()> fn, T fallback) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  if (!loop_.post([promise, fn = std::move(fn)] { promise->set_value(fn()); })) return fallback;
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return fallback;
  return future.get();
}

}  // namespace confpro::conference
