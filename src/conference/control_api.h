// The conference service's control API for the web console and the CLI (issue: in-process control API).
// The live state lives on the control loop; this interface lets other threads read snapshots and ask for
// actions. Implemented by conference/ (ConferenceService); web/ depends only on this header.
//
// Thread safety: every method may be called from any thread. Calls post to the control loop and complete the
// callback there (or, for synchronous variants, block the caller until the loop answers — never call those from
// the control loop itself). Subscribers' callbacks run on the control loop: they must only queue the event
// (e.g. into an SSE connection) and return quickly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/strong_id.h"
#include "common/time.h"

namespace confpro::conference {

struct LiveParticipant {
  ParticipantId id;
  std::string caller_number;   // normalized, may be "anonymous"
  std::string name;            // display name from SIP, or "" ; the recorded name is audio only
  std::string role;            // "user" | "moderator"
  TimePoint joined_at{};
  bool talking = false;
  bool muted = false;
  bool listen_only = false;
  bool waiting = false;        // waiting for the leader: hears music, is not heard
  std::string access_number;   // number dialled, or "" for dial-outs / direct
  std::string codec;           // "PCMU", "G722", "opus", …
};

// One invite by number and where it stands. States: "dialing", "ringing", "answered" (hears the intro),
// "joined" (pressed 1 and is in), "refused" (pressed 1 but the conference no longer takes them — reason
// "locked", "full", "ended", … — or hung up during the intro: "hung-up"; or the conference ended: "ended"),
// "no-answer" (never answered, or never pressed 1), "failed" (the trunk refused: reason "sip-486", …).
struct LiveInvite {
  std::string id;      // "invite-3", as InviteResult::invite_id
  std::string number;  // the number dialled
  std::string state;
  std::string reason;  // for refused / no-answer / failed, else ""
  TimePoint at{};      // when it reached this state
};

struct LiveConference {
  BookingId booking;
  SessionId session;
  std::string name;
  std::string number;
  std::string owner;
  TimePoint opened_at{};       // the epoch while waiting for the leader (not opened yet)
  TimePoint ends_at{};         // opened_at + duration, or granted_until when sooner; the epoch while not opened
  std::optional<TimePoint> granted_until;  // the end of the time its billing granted (set_granted_until)
  int max_participants = 0;
  bool locked = false;
  bool recording = false;
  bool waiting_for_leader = false;   // users are in, no moderator yet
  std::vector<LiveParticipant> participants;
  std::vector<LiveInvite> invites;   // the latest invites by number (at most 10), oldest first
};

// An event on the live stream, as the console shows it. `type` is one of: "opened", "joined", "left",
// "talking", "muted", "locked", "recording", "warning", "ended", "invite" (dial-out progress).
struct ConferenceEvent {
  std::uint64_t seq = 0;        // increasing per process; lets a client detect gaps
  std::string type;
  BookingId booking;
  std::string number;           // conference number
  std::string owner;            // for filtering per organizer
  TimePoint at{};
  std::optional<LiveParticipant> participant;  // for joined/left/talking/muted
  bool flag = false;            // talking / muted / locked / recording: the new value
  std::string detail;           // reason (ended, left), the invite's state, …
  std::optional<LiveInvite> invite = std::nullopt;  // for "invite": its new state
};

// An invite by number: dialling, or refused before dialling. Later "invite" events carry its LiveInvite.
struct InviteResult {
  std::string invite_id;
  std::string status;   // "dialing", or "refused" (nothing dialled)
  // When refused: "conference_locked", "conference_full", "conference_ended", "number_not_allowed" (dial plan),
  // "dial_out_limit", "dial_out_unavailable" (no trunk, SIP not running); and an English sentence.
  std::string refused = "";
  std::string message = "";
};

// What /api/v1/health reports of the conference service: its history writer (session_writer.h).
struct HealthReport {
  bool history_ok = true;                 // not failing, not stalled, not far behind
  std::size_t history_queued = 0;         // writes waiting, the one under way included
  long long history_oldest_pending_ms = 0;
  long long history_since_last_write_ms = -1;  // -1: nothing written yet
  int history_failing_for = 0;            // failed attempts in a row
  bool history_stalled = false;
  std::uint64_t history_written = 0, history_failed = 0, history_dropped = 0;
  std::string history_last_error;
};

// How much this node hosts now (/metrics): rooms (live, ending, or waiting for their leader) and the
// participants in them.
struct LoadCounts {
  std::size_t conferences = 0;
  std::size_t participants = 0;
};

class ControlApi {
 public:
  virtual ~ControlApi() = default;

  // Any thread; never blocks on the control loop. The default (a test double) is healthy.
  virtual HealthReport health() { return {}; }

  virtual std::vector<LiveConference> live_conferences() = 0;           // blocking snapshot (not on the loop)
  virtual std::optional<LiveConference> live_conference(BookingId id) = 0;
  // The bookings that have a room on this node (live, ending, or waiting for their leader): the housekeeping
  // thread leaves their expiry to the room (booking::BookingService::expire_due). Blocking, not on the loop;
  // nullopt when the loop did not answer. The default is built from live_conferences().
  // Blocking, not on the loop (one short task there: O(rooms)); nullopt when the loop did not answer. The
  // default is built from live_conferences().
  virtual std::optional<LoadCounts> load_counts() {
    LoadCounts n;
    for (const auto& c : live_conferences()) {
      ++n.conferences;
      n.participants += c.participants.size();
    }
    return n;
  }
  virtual std::optional<std::set<BookingId>> bookings_with_room() {
    std::set<BookingId> ids;
    for (const auto& c : live_conferences()) ids.insert(c.booking);
    return ids;
  }

  virtual Status set_muted(BookingId conference, ParticipantId participant, bool muted, const std::string& actor) = 0;
  virtual Status eject(BookingId conference, ParticipantId participant, const std::string& actor) = 0;
  virtual Status set_locked(BookingId conference, bool locked, const std::string& actor) = 0;
  virtual Status end_conference(BookingId conference, const std::string& actor) = 0;  // ended-by-admin
  // Live credit enforcement (issue 16 P4): the conference may run until `until` — the time its billing granted
  // (nullopt lifts the limit; its booking's end still applies). It hears "credit-low" before that and ends
  // "credit-exhausted" at it unless a later grant (a top-up) comes meanwhile (Room::set_granted_until). Audited
  // when it changes. kNotFound when it has no room on this node. The default (a test double) has no rooms.
  virtual Status set_granted_until(BookingId conference, std::optional<TimePoint> until, const std::string& actor) {
    (void)until, (void)actor;
    return Error::not_found("no live conference " + std::to_string(conference.value()));
  }
  // A booking changed in the store (edited from the console or the API of this node): its room, if
  // it has one here, reads it back off the loop and takes it (a new duration moves the warning and the end).
  // Never blocks. The default (a test double) does nothing. `confpro booking update` runs in another process and
  // cannot call it: a running conference edited from the CLI keeps its end until the room's next store write.
  virtual void booking_changed(BookingId booking) { (void)booking; }
  virtual Result<InviteResult> invite_by_number(BookingId conference, const std::string& number,
                                                const std::string& actor) = 0;

  using Subscriber = std::function<void(const ConferenceEvent&)>;
  using SubscriptionId = std::uint64_t;
  virtual SubscriptionId subscribe(Subscriber subscriber) = 0;
  virtual void unsubscribe(SubscriptionId id) = 0;

  // The access numbers in the store changed (added, changed or deleted): call routing reloads them from the
  // store (off the control loop). Blocks until the loop routes the new list, or a few seconds; an error when it
  // could not be reloaded (the previous list stays routed). The default (a test double) does nothing.
  virtual Status access_numbers_changed() { return {}; }
};

}  // namespace confpro::conference
