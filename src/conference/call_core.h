// One call leg's life, from the INVITE (or the dial-out of an invite) to its end, as a state machine without I/O,
// clock or threads (the rules of FEATURES.md I1, I2, S3's eject and invites by number). Events — the call
// arriving, its conference number's booking read, SIP answering it, a key, a prompt's end, a timer, the room
// taking or refusing the caller, an eject, the end SIP reports — return the effects that carry them out: SIP
// answers and hang-ups, the booking read off the loop, the IVR flow's start and inputs, the room's enter/leave,
// the invite's state for the console, timers and the call's removal. The conference service is the executor
// (service_calls.cpp: run()); what the rules need to know of rooms and routing comes in with the event.
// The IVR dialogue itself (menus, PINs, creation by phone) is ivr/'s flows, run by the executor.
// Tested in call_core_test.cpp without sockets. Thread safety: none; the control loop owns every CallCore.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace confpro::conference {

// The call's timers: the IVR flow's (key timeouts), the pause after a refusal prompt before hanging up, and the
// pause after "you were ejected".
enum class CallTimer { kFlow, kRefused, kEjected };

namespace call_effect {
struct Reject { int status = 0; std::string reason; };  // a final SIP answer: the call was never accepted
struct ReadBooking { std::string number; };              // off the loop; booking_read() follows
struct Accept {};                                        // SIP answers (near the conference's room if live)
struct StartFlow {};                                     // make the IVR flow of the call's kind and start it
struct FlowDigit { char digit = 0; };                    // to the IVR flow
struct FlowPromptDone { std::uint64_t tag = 0; };
struct FlowTimeout {};
struct DropFlow {};                                      // the flow is done (entered, refused)
struct RoomKey { char digit = 0; };                      // an in-call key, to the room
struct LeaveRoom { std::string reason; };                // out of the room (history: the reason)
struct Play { std::vector<std::string> keys; std::uint64_t tag = 0; };  // to the caller, in their language
struct InviteUpdate { std::string state; std::string reason; };         // the invite's state, for the console
struct Arm { CallTimer timer; std::chrono::milliseconds after; };
struct Disarm { CallTimer timer; };
struct Hangup { std::string reason; };                   // SIP ends the call; ended() follows
struct Forget {};                                        // the call is gone: its records here are removed
}  // namespace call_effect

using CallEffect = std::variant<call_effect::Reject, call_effect::ReadBooking, call_effect::Accept,
                                call_effect::StartFlow, call_effect::FlowDigit, call_effect::FlowPromptDone,
                                call_effect::FlowTimeout, call_effect::DropFlow, call_effect::RoomKey,
                                call_effect::LeaveRoom, call_effect::Play, call_effect::InviteUpdate,
                                call_effect::Arm, call_effect::Disarm, call_effect::Hangup, call_effect::Forget>;
using CallEffects = std::vector<CallEffect>;

// What routing knows of an incoming call when it arrives.
struct Arrival {
  std::string dialled;              // digits dialled (or the request URI's user part)
  bool access_number = false;       // `dialled` is a routed access number
  bool trusted_peer = false;        // a trunk/proxy: not capped per source
  int ivr_calls_from_source = 0;    // calls from the same address already ringing or in the IVR
  int max_ivr_calls_per_source = 0; // 0: no cap
};

class CallCore {
 public:
  enum class Kind { kAccessNumber, kDirect, kInvite };
  enum class State {
    kRinging,       // not answered yet (a conference number's booking may be being read: routing())
    kIvr,           // answered, in the IVR flow (or hearing why it was refused)
    kInConference,  // a participant of a room
    kLeaving,       // we hung up (or the caller was ejected): waiting for SIP to report the end
  };
  static constexpr std::chrono::milliseconds kRefusedPause{6000};  // refusal prompt + goodbye, then hang up
  static constexpr std::chrono::milliseconds kEjectedPause{2500};  // "you were ejected", then hang up

  // An incoming call: refused (503 flood from one source, 404 nothing dialled), accepted (an access number),
  // or its conference number's booking read first (routing(): it rings meanwhile).
  static std::pair<CallCore, CallEffects> arrive(const Arrival& arrival);
  // An invite by number being dialled by us.
  static CallCore dial_out();

  Kind kind() const { return kind_; }
  State state() const { return state_; }
  bool routing() const { return routing_; }
  bool answered() const { return answered_; }  // invite: the invitee answered
  bool joined() const { return joined_; }      // invite: the invitee entered the room
  bool in_room() const { return in_room_; }
  // Our own reason for ending it ("" when the caller or the network ended it).
  const std::string& end_cause() const { return end_cause_; }
  // Ringing or in the IVR: what a flood from one source piles up; for invites, a place they may take.
  bool before_conference() const { return state_ == State::kRinging || state_ == State::kIvr; }

  // The conference number's booking was read: `found` (accept) or not (404). Nothing when the call ended or
  // was hung up meanwhile; `stopping`: the service stops (nothing either).
  CallEffects booking_read(bool found, bool stopping);
  // SIP answered. For an invite, `conference_ended` says whether its conference ended meanwhile (nothing left
  // to invite to: hung up).
  CallEffects answered(bool conference_ended = false);
  CallEffects digit(char d);
  // An invite's provisional answer (180/183: ringing).
  CallEffects progress(int status);
  // The prompt that plays now carries `tag` (the flow's own, or a refusal's); prompt_done() matches it.
  void playing(std::uint64_t tag) { playing_tag_ = tag; }
  CallEffects prompt_done(std::uint64_t tag);
  CallEffects timer(CallTimer which);
  // The room took the caller (`entered`), or refused them: the refusal's prompt keys are heard, tagged `tag`,
  // then the call is hung up after kRefusedPause.
  CallEffects entered();
  CallEffects refused(std::vector<std::string> prompt, std::uint64_t tag);
  // The room's own record of the caller left (it ended, or the caller left through the room); for an invite
  // entering, joined() turns true and the console hears it.
  void left_room() { in_room_ = false; }
  CallEffects invite_joined();
  // The console ejected the caller: out of the room, "kicked", then hung up after kEjectedPause.
  CallEffects ejected();
  // We end the call (a flow's goodbye, a refusal, no RTP, the conference's end, shutdown). Once only.
  CallEffects hang_up(const std::string& reason);
  // SIP reports the end (`cause`: "caller-bye", "timeout", "sip-487", …): out of the room, the invite's
  // outcome, forgotten.
  CallEffects ended(const std::string& cause);

  // How an invite that never joined ended, from our hang-up reason and the end's cause: {state, reason}.
  static std::pair<std::string, std::string> invite_outcome(const std::string& our_cause, bool answered,
                                                            const std::string& cause);

 private:
  CallCore() = default;
  Kind kind_ = Kind::kAccessNumber;
  State state_ = State::kRinging;
  bool routing_ = false;
  bool answered_ = false;
  bool joined_ = false;
  bool in_room_ = false;
  bool ejecting_ = false;
  std::uint64_t playing_tag_ = 0;
  std::string end_cause_;
};

}  // namespace confpro::conference
