// One live conference's rules (FEATURES.md B3–B5, I2, I4, S3) as a state machine without I/O, clock or threads.
// Every event — a caller entering or leaving, an in-call key, a moderator's or the console's action, a timer, the
// store's answer — comes with the time and returns the effects that carry it out: prompts, media flags, the
// session and connection records, the booking's opening and end, console events, timers, hang-ups. The conference
// service is the executor (service_rooms.cpp): it performs the effects in order against media/, sip/, the session
// writer and the store (the store's work runs off the control loop and comes back as booking_stored()).
// Rules are tested with a fake clock in room_test.cpp, without sockets (STYLE.md #4, #5).
// Thread safety: none; the control loop owns every Room.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/strong_id.h"
#include "common/time.h"
#include "conference/control_api.h"
#include "domain/booking.h"
#include "domain/lifecycle.h"
#include "domain/limits.h"
#include "domain/phone.h"

namespace confpro::conference {

// A participant of a live conference. `media` is the call's media session (an id only: the executor uses it).
struct Participant {
  ParticipantId id;
  CallId call;
  MediaSessionId media;
  domain::Role role = domain::Role::kUser;
  domain::Language language = domain::Language::kFrench;  // what the caller hears prompts in
  std::string caller_number;  // "anonymous" when unknown
  std::string display_name;
  std::string invitee;        // the booking's invitee this caller is (e-mail, else phone), "" if none
  std::string access_number;  // "" for direct / dial-out
  std::string codec;
  std::string name_file;      // recorded name (announce), "" if none
  TimePoint joined_at{};
  bool recorded = false;      // the connection's row was started (the room is opened)
  bool muted = false;
  bool listen_only = false;
  bool waiting = false;       // wait-for-leader: hears music, is not heard, hears nobody
  bool talking = false;
  bool star = false;          // '*' pressed, waiting for the key's digit
};

// The room's timers: the executor arms them at a conference-clock time (`at`) or after a real delay (`after`),
// and feeds timer() when they fire. kStarKey is per participant; the others are per room.
enum class RoomTimer { kWarning, kEnd, kEmpty, kClosing, kStarKey };

namespace effect {
// Prompt keys (catalog keys, or absolute WAV paths starting with '/') to one participant, in their language;
// replaces what they hear from prompts.
struct Play {
  ParticipantId to;
  std::vector<std::string> keys;
};
// To everyone in the room's mix, in the booking's language; `tag` comes back as closing_prompt_done().
struct PlayRoom {
  std::vector<std::string> keys;
  std::uint64_t tag = 0;
};
struct HoldMusic { ParticipantId to; };     // "wait-for-leader" then music on hold, looped
struct StopPlaying { ParticipantId to; };
struct SetFlags {                           // what the mixer does with the participant
  ParticipantId to;
  bool muted = false, listen_only = false, deaf = false;
};
struct Attach { ParticipantId who; };       // into the room's mix
struct Detach { ParticipantId who; };
// Store the booking's opening at `at` (scheduled → active, on the stored row); booking_stored() follows.
struct StoreOpening { TimePoint at; };
// End the booking durably (booking service); booking_stored() follows with the stored row.
struct StoreEnd {
  domain::EndReason reason = domain::EndReason::kNone;
  std::string actor;
};
struct OpenSession {};                      // the session's row (history)
struct CloseSession { std::string reason; };
struct RecordConnection { ParticipantId who; };  // a connection's row (the room is opened)
struct EndConnection {                      // its end; the executor adds the call's quality figures
  ParticipantId who;
  std::string reason;
};
struct StartRecording {};                   // recording_failed() follows when it cannot start
struct StopRecording {};
struct Arm {
  RoomTimer timer;
  ParticipantId who;                        // kStarKey only
  std::optional<TimePoint> at;              // conference clock …
  std::chrono::milliseconds after{0};       // … or a real delay when `at` is empty
};
struct Disarm {
  RoomTimer timer;
  ParticipantId who;
};
struct Hangup {
  CallId call;
  std::string reason;
};
struct DropInvites {};                      // invite legs still ringing or in their intro: nothing to join now
struct Emit { ConferenceEvent event; };     // to the console's event stream (seq set by the executor)
struct Close {};                            // the room is gone: the executor destroys its media room and forgets it
}  // namespace effect

using Effect = std::variant<effect::Play, effect::PlayRoom, effect::HoldMusic, effect::StopPlaying, effect::SetFlags,
                            effect::Attach, effect::Detach, effect::StoreOpening, effect::StoreEnd, effect::OpenSession,
                            effect::CloseSession, effect::RecordConnection, effect::EndConnection,
                            effect::StartRecording, effect::StopRecording, effect::Arm, effect::Disarm, effect::Hangup,
                            effect::DropInvites, effect::Emit, effect::Close>;
using Effects = std::vector<Effect>;

struct RoomOptions {
  domain::ConferenceLimits limits;                   // warning minutes, empty_end_minutes
  std::chrono::milliseconds key_timeout{3000};       // '*' then a digit within this time
  std::chrono::milliseconds end_prompt_grace{8000};  // longest wait for the closing prompt before hanging up
  std::vector<domain::NumberRule> number_rules;      // how a caller's number is compared with invitees' phones
};

// Who asks to enter (from the call).
struct Entrant {
  CallId call;
  MediaSessionId media;
  domain::Role role = domain::Role::kUser;
  domain::Language language = domain::Language::kFrench;
  std::string caller_number;  // "" = anonymous
  std::string display_name;
  std::string pin;  // the PIN typed ("" for dial-outs and moderator-free entries): names a personal-PIN invitee
  std::string access_number;
  std::string codec;
  std::string name_file;
};

class Room {
 public:
  Room(domain::Booking booking, RoomOptions options) : booking_(std::move(booking)), options_(options) {}

  // --- questions (no effects)
  const domain::Booking& booking() const { return booking_; }
  const std::map<ParticipantId, Participant>& participants() const { return participants_; }
  const Participant* participant(ParticipantId id) const;
  bool locked() const { return locked_; }
  bool recording() const { return recording_; }
  bool ending() const { return ending_; }
  bool opened() const { return opened_; }
  // When the conference ends: its booking's end (opened_at + duration), or the end of the time its billing
  // granted when that comes first (set_granted_until); nullopt while not opened.
  std::optional<TimePoint> ends_at() const;
  std::optional<TimePoint> granted_until() const { return granted_until_; }
  // Whether `role` may enter now (window, ended, locked, full; with a PIN, the allow-list).
  domain::JoinOutcome admit(domain::Role role, const std::string& pin, const std::string& caller, TimePoint now) const;
  LiveConference snapshot(SessionId session) const;
  static LiveParticipant snapshot(const Participant& p);

  // --- events
  // A caller enters as participant `id`. Refused (window, ended, locked, full or ending): `refused` says why and
  // no effect concerns the caller (the executor tells them and hangs up).
  Effects enter(ParticipantId id, const Entrant& who, TimePoint now, std::optional<domain::JoinOutcome>* refused);
  // The participant's call ended (hang-up, ejected, …).
  Effects leave(ParticipantId id, const std::string& reason, TimePoint now);
  Effects key(ParticipantId id, char digit, TimePoint now);
  Effects talking(ParticipantId id, bool talking, TimePoint now);
  Effects timer(RoomTimer timer, ParticipantId who, TimePoint now);
  Effects closing_prompt_done(std::uint64_t tag, TimePoint now);
  // The store's answer to StoreOpening / StoreEnd: the row as stored (the version moves on; a duration changed
  // meanwhile moves the warning and the end). An opening stored after the room began ending changes nothing.
  Effects booking_stored(const domain::Booking& stored, TimePoint now);
  Effects recording_failed(TimePoint now);

  // --- moderator and console actions (the console's audit entries are the service's). `actor` (end) is a
  // console user, a caller number, or "system".
  // Errors (checked first, no effect): kNotFound for an unknown participant, kFailedPrecondition to unmute a
  // listen-only participant.
  Result<Effects> set_muted(ParticipantId id, bool muted, TimePoint now);
  // Ejected: the participant leaves now (the executor then tells the call "kicked" and hangs up).
  Result<Effects> eject(ParticipantId id, TimePoint now);
  Effects set_locked(bool locked, TimePoint now);
  // The billing's grant (issue 16 P4): the conference may run until `until` (nullopt: no limit but its booking's
  // end). Before the granted end everyone hears "credit-low" (limits.credit_warning_seconds before it; at once when
  // that moment has passed), and at it the conference ends "credit-exhausted" — unless a later grant (a top-up)
  // came meanwhile. The warning is heard again only when a grant moved the end by more than the warning time.
  // An `until` already past ends the conference now. Ignored once it is ending.
  Effects set_granted_until(std::optional<TimePoint> until, TimePoint now);
  // Ends the conference: the booking ends (durably), everyone hears the closing prompt, then all hang up.
  Effects end(domain::EndReason reason, const std::string& actor, TimePoint now);
  // The node stops: everyone is cut off, the session closes ("interrupted" unless the booking ended).
  Effects shut_down(TimePoint now);

 private:
  ConferenceEvent event(const std::string& type, TimePoint now, bool flag = false, std::string detail = "") const;
  ConferenceEvent participant_event(const std::string& type, const Participant& p, TimePoint now, bool flag = false,
                                    std::string detail = "") const;
  void open(TimePoint now, Effects& out);
  void schedule_end(TimePoint now, Effects& out);
  void release_waiting(TimePoint now, Effects& out);
  void mute(Participant& p, bool muted, bool tell, TimePoint now, Effects& out);
  void toggle_recording(TimePoint now, Effects& out);
  void finish(TimePoint now, Effects& out);
  std::vector<std::string> entry_keys(const Participant& p, const std::string& placed) const;
  static effect::SetFlags flags(const Participant& p);

  domain::Booking booking_;
  RoomOptions options_;
  std::map<ParticipantId, Participant> participants_;
  bool opened_ = false;           // the session is open (history row, timers)
  bool locked_ = false;
  bool recording_ = false;
  bool ending_ = false;
  bool closed_ = false;
  bool warn_at_opening_ = false;  // a booking no longer than the warning: warned after the entry prompt
  std::optional<TimePoint> granted_until_;   // set_granted_until
  std::optional<TimePoint> credit_warned_;   // the granted end whose "credit-low" was heard
  bool credit_bound_ = false;                // the armed end is the granted one (before the booking's)
  bool empty_armed_ = false;
  std::uint64_t closing_tag_ = 0;
  std::uint64_t next_tag_ = 1;
};

}  // namespace confpro::conference
