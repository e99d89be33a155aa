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
#include "conference/pin_guard.h"
#include "conference/session_writer.h"

namespace confpro::conference {


// One SIP call leg, from INVITE to its end.
struct Call {
  enum class Kind { kAccessNumber, kDirect, kInvite };
  enum class State { kRinging, kIvr, kInConference, kLeaving };
  CallId id;
  Kind kind = Kind::kAccessNumber;
  State state = State::kRinging;
  sip::IncomingCall incoming;             // for dial-outs: number/dialled filled in
  MediaSessionId media;
  domain::Language language = domain::Language::kFrench;
  std::string access_number;              // "" for direct/dial-out
  std::optional<domain::Booking> direct;  // conference dialled directly, or the one invited to
  std::unique_ptr<ivr::FlowHost> host;
  std::unique_ptr<ivr::Flow> flow;
  EventLoop::TimerId timer = 0;
  std::uint64_t playing_tag = 0;          // the prompt we wait for (flows' tag, or our own)
  std::string name_file;                  // announce recording
  // In a conference:
  BookingId booking;
  ParticipantId participant;
  bool star_pressed = false;
  EventLoop::TimerId key_timer = 0;
  std::string invite_id;
  std::vector<std::string> intro;         // invite: what the invitee hears first (keys or WAV paths)
  bool answered = false;                  // invite: the invitee answered
  bool joined = false;                    // invite: the invitee pressed 1 and entered
  std::string end_cause;
};

struct Participant {
  ParticipantId id;
  CallId call;
  MediaSessionId media;
  domain::Role role = domain::Role::kUser;
  std::string caller_number;
  std::string display_name;
  std::string access_number;
  std::string codec;
  std::string name_file;
  TimePoint joined_at{};
  SessionWriter::Key connection = 0;  // 0 while waiting for the leader (no session yet)
  bool muted = false;
  bool listen_only = false;
  bool waiting = false;      // wait-for-leader: hears music, is not heard, hears nobody
  bool talking = false;
};

// A live conference on this node: its media room and who is in it.
struct Room {
  domain::Booking booking;
  SessionWriter::Key session = 0;  // 0 until opened (wait-for-leader lobby)
  RoomId media_room;
  std::map<ParticipantId, Participant> participants;
  bool locked = false;
  bool recording = false;
  std::string recording_path;
  bool ending = false;
  EventLoop::TimerId warning_timer = 0;
  EventLoop::TimerId end_timer = 0;
  EventLoop::TimerId hangup_timer = 0;
  std::uint64_t closing_tag = 0;
  std::vector<LiveInvite> invites;  // the latest invites by number, oldest first (snapshot, console)
  EventLoop::TimerId empty_timer = 0;  // nobody left: ends the room after conference.empty_end_minutes
  bool warn_at_opening = false;        // a booking no longer than the warning: warned after the entry prompt
  int moderators() const {
    int n = 0;
    for (const auto& [id, p] : participants)
      if (p.role == domain::Role::kModerator) ++n;
    return n;
  }
};

class ConferenceService::Impl {
 public:
  Impl(ConferenceService& owner, EventLoop& loop, const Clock& clock, store::Store& store,
       booking::BookingService& bookings, directory::Directory& directory, media::MediaEngine& media,
       const ivr::PromptCatalog& prompts, ServiceOptions options);

  // --- calls (service_calls.cpp)
  void incoming(const sip::IncomingCall& in);
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
  void start_call_timer(Call& call, std::chrono::milliseconds delay);
  void cancel_call_timer(Call& call);
  void hangup(Call& call, const std::string& reason);
  std::vector<std::string> files_for(const std::vector<std::string>& keys, domain::Language language);
  // --- invites by number (service_calls.cpp): records the invite's new state in its room and tells the console.
  void invite_update(const Call& call, const std::string& state, const std::string& reason = "");
  // How many invite legs of `booking` are dialling or in their intro (places they may take).
  int invites_pending(BookingId booking) const;
  // Hangs up the invite legs of `booking` that have not joined (the conference ended).
  void drop_invites(BookingId booking);

  // --- rooms (service_rooms.cpp)
  domain::JoinOutcome admit(const domain::Booking& booking, domain::Role role, const std::string& pin,
                            const std::string& caller);
  void enter(Call& call, const domain::Booking& booking, domain::Role role, const std::string& name_file);
  void leave(Call& call, const std::string& reason);
  void open_session(Room& room);
  void record_connection(Room& room, Participant& p);  // queues the connection's row (room opened)
  void schedule_end(Room& room);
  void end_room(BookingId id, domain::EndReason reason, const std::string& actor);
  void finish_room(BookingId id);
  void in_call_key(Call& call, char digit);
  void set_participant_muted(Room& room, Participant& p, bool muted, bool tell);
  void set_room_locked(Room& room, bool locked);
  void toggle_recording(Room& room);
  // The last participant left an opened room: arms its end after conference.empty_end_minutes.
  void empty_room(Room& room);
  // What a participant placed in the room hears: `placed`, "listen-only" for a listen-only one, the warning
  // when it is due at the opening.
  std::vector<std::string> entry_keys(const Room& room, const Participant& p,
                                      const std::string& placed) const;
  void apply_flags(const Participant& p);
  void play_to_participant(Room& room, const Participant& p, const std::vector<std::string>& keys);
  void play_to_others(Room& room, ParticipantId except, const std::vector<std::string>& keys);
  // `pins`: also the participant and moderator PINs (only to the booking's creator, by phone).
  std::vector<std::string> describe(const domain::Booking& b, domain::Language language, bool pins = false);
  Room* find_room(BookingId id);
  LiveConference snapshot(const Room& room) const;
  LiveParticipant snapshot(const Participant& p) const;
  void emit(ConferenceEvent event);
  void emit_participant(const std::string& type, const Room& room, const Participant& p, bool flag = false,
                        const std::string& detail = "");
  std::chrono::milliseconds real_delay_until(TimePoint t) const;
  // The caller numbers of every stored connection of `booking` (all its sessions); nullopt when the store fails.
  // A store read on the control loop: only the first time a conference is closed to new callers.
  std::optional<std::vector<std::string>> numbers_that_entered(BookingId booking);
  void audit(const std::string& actor, const std::string& action, const std::string& target,
             const std::string& details);

  // --- control (service_control.cpp): run `fn` on the loop and wait for its result.
  template <typename T>
  T on_loop(std::function<T()> fn, T fallback);

  ConferenceService& owner_;
  EventLoop& loop_;
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
  std::map<BookingId, std::unique_ptr<Room>> rooms_;
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
