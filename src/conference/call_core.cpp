#include "conference/call_core.h"

namespace confpro::conference {

using namespace call_effect;

std::pair<CallCore, CallEffects> CallCore::arrive(const Arrival& a) {
  CallCore call;
  if (a.max_ivr_calls_per_source > 0 && !a.trusted_peer &&
      a.ivr_calls_from_source >= a.max_ivr_calls_per_source)
    return {call, {Reject{503, "Too Many Calls From Source"}, Forget{}}};
  if (a.access_number) {
    call.kind_ = Kind::kAccessNumber;
    return {call, {Accept{}}};
  }
  if (a.dialled.empty()) return {call, {Reject{404, "Not Found"}, Forget{}}};
  // A conference number: its booking is read off the loop; the call rings meanwhile (a CANCEL ends it: ended()).
  call.kind_ = Kind::kDirect;
  call.routing_ = true;
  return {call, {ReadBooking{a.dialled}}};
}

CallCore CallCore::dial_out() {
  CallCore call;
  call.kind_ = Kind::kInvite;
  return call;
}

CallEffects CallCore::booking_read(bool found, bool stopping) {
  if (!routing_) return {};  // ended (CANCEL) during the look-up
  routing_ = false;
  if (stopping || state_ != State::kRinging) return {};
  if (!found) return {Reject{404, "Not Found"}, Forget{}};
  return {Accept{}};
}

CallEffects CallCore::answered(bool conference_ended) {
  if (state_ != State::kRinging) return {};
  state_ = State::kIvr;
  if (kind_ != Kind::kInvite) return {StartFlow{}};
  answered_ = true;
  // Answered after the conference ended: nothing to invite to (and no room is made again for it).
  if (conference_ended) return hang_up("conference-ended");
  // The invited person hears who invites them to what, and joins only by pressing 1 (ivr/invite_flow.h).
  return {InviteUpdate{"answered", ""}, StartFlow{}};
}

CallEffects CallCore::digit(char d) {
  if (state_ == State::kIvr) return {FlowDigit{d}};
  if (state_ == State::kInConference) return {RoomKey{d}};
  return {};
}

CallEffects CallCore::progress(int status) {
  if (kind_ != Kind::kInvite || state_ != State::kRinging) return {};
  if (status == 180 || status == 183) return {InviteUpdate{"ringing", ""}};
  return {};  // failures: ended() says how it ended
}

CallEffects CallCore::prompt_done(std::uint64_t tag) {
  if (tag == 0 || tag != playing_tag_) return {};
  playing_tag_ = 0;
  if (state_ == State::kIvr) return {FlowPromptDone{tag}};
  return {};
}

CallEffects CallCore::timer(CallTimer which) {
  switch (which) {
    case CallTimer::kFlow:
      if (state_ == State::kIvr) return {FlowTimeout{}};
      return {};
    case CallTimer::kRefused:
      return hang_up("refused");
    case CallTimer::kEjected:
      if (!ejecting_) return {};
      return hang_up("ejected");
  }
  return {};
}

CallEffects CallCore::entered() {
  state_ = State::kInConference;
  in_room_ = true;
  playing_tag_ = 0;
  return {DropFlow{}, Disarm{CallTimer::kFlow}};
}

CallEffects CallCore::refused(std::vector<std::string> prompt, std::uint64_t tag) {
  // Someone took the last place (or locked, or it ended) during the IVR: the caller hears why, then goodbye.
  state_ = State::kIvr;
  playing_tag_ = tag;
  return {DropFlow{}, Disarm{CallTimer::kFlow}, Play{std::move(prompt), tag}, Arm{CallTimer::kRefused, kRefusedPause}};
}

CallEffects CallCore::invite_joined() {
  if (kind_ != Kind::kInvite || state_ != State::kInConference || joined_) return {};
  joined_ = true;
  return {InviteUpdate{"joined", ""}};
}

CallEffects CallCore::ejected() {
  if (state_ == State::kLeaving) return {};
  CallEffects out;
  if (in_room_) {
    in_room_ = false;
    out.push_back(LeaveRoom{"ejected"});
  }
  state_ = State::kLeaving;  // no key, prompt end or flow timer reaches it during the pause
  ejecting_ = true;
  playing_tag_ = 0;
  out.push_back(Disarm{CallTimer::kFlow});
  out.push_back(Play{{"kicked"}, 0});
  out.push_back(Arm{CallTimer::kEjected, kEjectedPause});
  return out;
}

CallEffects CallCore::hang_up(const std::string& reason) {
  if (state_ == State::kLeaving && !ejecting_) return {};  // once
  ejecting_ = false;
  end_cause_ = reason;
  state_ = State::kLeaving;  // leaving the room happens when SIP reports the end
  return {Disarm{CallTimer::kFlow}, Hangup{reason}};
}

CallEffects CallCore::ended(const std::string& cause) {
  CallEffects out{Disarm{CallTimer::kFlow}};
  if (in_room_) {
    in_room_ = false;
    out.push_back(LeaveRoom{end_cause_.empty() ? (cause == "caller-bye" ? "hangup" : cause) : end_cause_});
  }
  if (kind_ == Kind::kInvite && !joined_) {
    auto [state, reason] = invite_outcome(end_cause_, answered_, cause);
    out.push_back(InviteUpdate{std::move(state), std::move(reason)});
  }
  state_ = State::kLeaving;
  out.push_back(Forget{});
  return out;
}

std::pair<std::string, std::string> CallCore::invite_outcome(const std::string& ours, bool answered,
                                                             const std::string& cause) {
  if (ours.rfind("invite-refused-", 0) == 0) return {"refused", ours.substr(15)};
  if (ours == "invite-no-answer") return {"no-answer", "no-key"};
  if (ours == "conference-ended") return {"refused", "ended"};
  if (ours == "refused") return {"refused", "refused"};  // the room was closed to them meanwhile
  if (answered) return {"refused", "hung-up"};           // hung up during the intro
  if (cause == "timeout" || cause == "sip-408" || cause == "sip-480" || cause == "sip-487")
    return {"no-answer", cause};
  return {"failed", cause};
}

}  // namespace confpro::conference
