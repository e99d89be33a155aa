// The life cycle of a booking (FEATURES.md B3–B5, B8): effective state at an instant, who may join and
// whether the join opens the session, opening and ending, the end and warning instants, PIN → role, the
// allow-list. Pure: `now` is passed in. Times are absolute (UTC): a validity day is 24 h, so a window that
// spans a DST change ends at the same UTC offset from its start, i.e. one hour earlier or later on the wall
// clock.
//
// Thread safety: free functions over values; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "domain/limits.h"
#include "domain/phone.h"

namespace confpro::domain {

// The state at `now`: a scheduled booking whose validity window has lapsed (now >= valid_until) is ended
// (reason kExpiredUnused); an active booking whose duration has run out (now >= ends_at) is ended (reason
// kDurationElapsed). Otherwise the stored state.
BookingState effective_state(const Booking& b, TimePoint now);
// The end reason matching effective_state (kNone while not ended).
EndReason effective_end_reason(const Booking& b, TimePoint now);

// When the active session ends: opened_at + duration. nullopt while never opened.
std::optional<TimePoint> ends_at(const Booking& b);
// When participants hear the warning: ends_at − warning_minutes (not before opened_at); nullopt when never
// opened or limits.warning_minutes == 0.
std::optional<TimePoint> warning_at(const Booking& b, const ConferenceLimits& limits);

enum class JoinOutcome {
  kOk,
  kNotYetValid,  // now < valid_from
  kEnded,        // effective state ended (window lapsed, duration ran out, ended by someone)
  kFull,         // current_participants >= max_participants (moderators included) — B5
  kLocked,       // a moderator locked the room; moderators may still join
  kNotAllowed,   // allow-list only and the caller is not on it (see caller_allowed)
};
const char* to_string(JoinOutcome o);  // "ok", "not-yet-valid", "ended", "full", "locked", "not-allowed"

struct JoinDecision {
  JoinOutcome outcome = JoinOutcome::kOk;
  // This join opens the session (scheduled → active): a moderator always; a user only without
  // wait-for-leader.
  bool opens_session = false;
  // A user who may join but must wait for a moderator (wait-for-leader, not yet opened): hears music on hold.
  bool waits_for_leader = false;
  bool operator==(const JoinDecision&) const = default;
};

// May a caller with `role` join now? `current_participants` counts everyone connected (moderators included,
// waiting users included); `locked` is the room's lock. Checks in order: window, ended, locked (users only),
// full. The allow-list is checked separately by caller_allowed (it needs the caller's number/PIN).
JoinDecision can_join(const Booking& b, Role role, TimePoint now, int current_participants, bool locked);

// PIN → role: the moderator PIN gives kModerator, the user PIN or an invitee's personal PIN gives kUser;
// nullopt = wrong PIN.
std::optional<Role> role_for_pin(const Booking& b, std::string_view pin);

// B8: with JoinPolicy::kAnyoneWithPin always true. With kAllowListOnly: true when the caller's number is an
// invitee's phone (same_phone with the configured `rules`: "+33…", "0033…" and the national form are one
// phone), or `pin` is an invitee's personal PIN, or `pin` is the moderator PIN.
bool caller_allowed(const Booking& b, std::string_view caller_number, std::string_view pin,
                    const std::vector<NumberRule>& rules = {});

// The invitee a caller is (B8, and the connection history's "who"): the one whose personal PIN is `pin`, else
// the first whose phone is the caller's number (same_phone with `rules`); nullptr when none.
const Invitee* matching_invitee(const Booking& b, std::string_view caller_number, std::string_view pin,
                                const std::vector<NumberRule>& rules = {});

// How an invitee is named in the history and the console: their e-mail, else their phone.
std::string invitee_label(const Invitee& i);

// scheduled → active at `now`. Errors: kFailedPrecondition when not scheduled or outside the window.
Status open(Booking& b, TimePoint now);
// → ended at `now` with `reason` (not kNone). scheduled may end (admin/expired-unused), active may end with
// any reason. Errors: kFailedPrecondition when already ended, kInvalidArgument for kNone/kInterrupted.
Status end(Booking& b, EndReason reason, TimePoint now);

}  // namespace confpro::domain
