// The FlowHost of one call: carries out a flow's effects through the service (control loop only).
#pragma once

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
  Result<domain::Booking> find_booking(const std::string& number) override;
  ivr::PinCheck check_pin(const domain::Booking& booking, const std::string& pin) override;
  domain::JoinOutcome admit(const domain::Booking& booking, domain::Role role, const std::string& pin) override;
  void record_name(int max_ms) override;
  void enter_conference(const domain::Booking& booking, domain::Role role, const std::string& name_file) override;
  Result<ivr::PhoneCreator> authenticate_creator(const std::string& account, const std::string& pin) override;
  Result<domain::Booking> create_booking(const ivr::PhoneCreator& creator, int duration_minutes,
                                         int max_participants) override;
  std::vector<std::string> describe_booking(const domain::Booking& booking) override;
  std::vector<std::string> say_number(int n) override;

 private:
  Call& call() const;
  ConferenceService::Impl& s_;
  CallId call_;
};

}  // namespace confpro::conference
