// A FlowHost for flow tests: records what the flow asked for, answers from canned data. Tests drive it by
// delivering the events a real call would (digits, prompt done, timeouts). The slow questions (find_booking,
// check_pin, authenticate_creator, create_booking) are answered later, as the real host does: their answers wait
// in `pending` until deliver(flow); type() delivers them after each digit unless `auto_deliver` is off (tests of
// what happens while an answer is awaited).
#pragma once

#include <deque>
#include <functional>
#include <map>

#include "ivr/flow.h"

namespace confpro::ivr::testing {

class FakeHost : public FlowHost {
 public:
  struct Played {
    std::vector<std::string> keys;
    std::uint64_t tag;
  };
  std::vector<Played> played;
  int stops = 0;
  std::optional<std::chrono::milliseconds> timer;
  std::optional<std::string> hung_up;
  domain::Language lang = domain::Language::kEnglish;
  std::string caller = "0611223344";
  std::map<std::string, domain::Booking> bookings;
  domain::JoinOutcome outcome = domain::JoinOutcome::kOk;
  bool locked_out = false;
  int recordings = 0;
  struct Entered {
    std::string number;
    domain::Role role;
    std::string name_file;
  };
  std::optional<Entered> entered;
  std::map<std::string, std::string> accounts;  // account → pin
  std::optional<Error> auth_error;  // set: every account check answers this (e.g. the directory is down)
  std::optional<std::pair<int, int>> created;
  Error create_error{ErrorCode::kInternal, "", {}};
  std::optional<Error> auth_refusal;  // a right account and PIN, refused by the booking policy
  bool create_fails = false;

  void play(const std::vector<std::string>& keys, std::uint64_t tag) override { played.push_back({keys, tag}); }
  void stop_prompt() override { ++stops; }
  void start_timer(std::chrono::milliseconds d) override { timer = d; }
  void cancel_timer() override { timer.reset(); }
  void hangup(const std::string& reason) override { hung_up = reason; }
  domain::Language language() const override { return lang; }
  void set_language(domain::Language l) override { lang = l; }
  const std::string& caller_number() const override { return caller; }
  void find_booking(const std::string& number, std::uint64_t request) override {
    auto it = bookings.find(number);
    Result<domain::Booking> found =
        it == bookings.end() ? Result<domain::Booking>(Error::not_found("no such conference")) : it->second;
    pending.push_back([request, found](Flow& f) { f.booking_found(request, found); });
  }
  void check_pin(const domain::Booking& b, const std::string& pin, std::uint64_t request) override {
    PinCheck c;
    c.locked_out = locked_out;
    if (pin == b.moderator_pin) c.role = domain::Role::kModerator;
    else if (pin == b.user_pin) c.role = domain::Role::kUser;
    pending.push_back([request, c](Flow& f) { f.pin_checked(request, c); });
  }
  domain::JoinOutcome admit(const domain::Booking&, domain::Role, const std::string&) override { return outcome; }
  void record_name(int) override { ++recordings; }
  void enter_conference(const domain::Booking& b, domain::Role role, const std::string& name_file) override {
    entered = Entered{b.number, role, name_file};
  }
  void authenticate_creator(const std::string& account, const std::string& pin, std::uint64_t request) override {
    auto it = accounts.find(account);
    Result<PhoneCreator> who = it == accounts.end() || it->second != pin
                                   ? Result<PhoneCreator>(Error{ErrorCode::kUnauthenticated, "bad", {}})
                                   : PhoneCreator{"alice", 60, 10};
    if (auth_error) who = *auth_error;
    if (who && auth_refusal) who = *auth_refusal;  // the booking policy refuses the caller (B7)
    pending.push_back([request, who](Flow& f) { f.creator_authenticated(request, who); });
  }
  void create_booking(const PhoneCreator&, int duration, int max, std::uint64_t request) override {
    Result<domain::Booking> made = create_error;
    if (!create_fails) {
      created = std::make_pair(duration, max);
      domain::Booking b;
      b.number = "739164";
      b.max_participants = max;
      b.duration_minutes = duration;
      made = b;
    }
    pending.push_back([request, made](Flow& f) { f.booking_created(request, made); });
  }
  std::vector<std::string> describe_booking(const domain::Booking& b) override {
    std::vector<std::string> keys{"your-conference-number-is"};
    for (char c : b.number) keys.push_back(std::string("digits/") + c);
    return keys;
  }
  std::vector<std::string> say_number(int n) override { return {"digits/" + std::to_string(n)}; }

  // Answers of the slow questions not delivered yet, oldest first.
  std::deque<std::function<void(Flow&)>> pending;
  bool auto_deliver = true;

  // Test helpers.
  const Played& last() const { return played.back(); }
  void finish_last_prompt(Flow& flow) { flow.prompt_done(played.back().tag); }
  // Gives `flow` the answers waiting (and those its reactions ask for meanwhile).
  void deliver(Flow& flow) {
    while (!pending.empty()) {
      auto answer = std::move(pending.front());
      pending.pop_front();
      answer(flow);
    }
  }
  void type(Flow& flow, const std::string& digits) {
    for (char c : digits) {
      flow.digit(c);
      if (auto_deliver) deliver(flow);
    }
  }
};

}  // namespace confpro::ivr::testing
