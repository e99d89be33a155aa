// The FlowHost of one call: carries out a flow's effects through the service (control loop only). The slow
// questions (booking by number, the creator's account and PIN, creating a booking, a PIN check that must first
// read who entered the conference in earlier runs) run on the service's worker pool; their answer reaches the
// flow on the control loop only if the call still exists and still runs the same flow in the IVR (the flow then
// checks it is the answer it waits for).
#pragma once

#include <functional>

#include "conference/service_impl.h"

namespace confpro::conference {

class CallHost final : public ivr::FlowHost {
 public:
  CallHost(ConferenceService::Impl& service, CallId call) : s_(service), call_(call) {}

  void play(const std::vector<std::string>& keys, std::uint64_t tag) override;
  void stop_prompt() override;
  void start_timer(std::chrono::milliseconds delay) override;
  void cancel_timer() override;
  void hangup(const std::string& reason) override;
  domain::Language language() const override;
  void set_language(domain::Language language) override;
  const std::string& caller_number() const override;
  void find_booking(const std::string& number, std::uint64_t request) override;
  void check_pin(const domain::Booking& booking, const std::string& pin, std::uint64_t request) override;
  domain::JoinOutcome admit(const domain::Booking& booking, domain::Role role, const std::string& pin) override;
  void record_name(int max_ms) override;
  void enter_conference(const domain::Booking& booking, domain::Role role, const std::string& name_file) override;
  void authenticate_creator(const std::string& account, const std::string& pin, std::uint64_t request) override;
  void create_booking(const ivr::PhoneCreator& creator, int duration_minutes, int max_participants,
                      std::uint64_t request) override;
  std::vector<std::string> describe_booking(const domain::Booking& booking) override;
  std::vector<std::string> say_number(int n) override;

 private:
  // What reaches the flow: run on the loop with this call's host and flow, if both are still there.
  using Answer = std::function<void(CallHost&, ivr::Flow&)>;
  // Runs `work` on the worker pool, then `answer(host, flow, result)` on the loop (see the file comment).
  template <typename T>
  void ask(std::function<T()> work, std::function<void(CallHost&, ivr::Flow&, T)> answer);
  // Posts `answer` to the loop (an answer known at once still arrives later, as flows expect).
  void answer_soon(Answer answer);
  // The PIN check against the throttle (control loop, no I/O); nullopt when the conference is closed to new
  // callers and who entered it in earlier runs is not known yet (`history_read` false): read that first.
  std::optional<ivr::PinCheck> decide_pin(const domain::Booking& booking, const std::string& pin,
                                          bool history_read);
  Call& call() const;
  ConferenceService::Impl& s_;
  CallId call_;
};

}  // namespace confpro::conference
