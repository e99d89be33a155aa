// The main menu on an access number (FEATURES.md I3): "press 1 to create a conference, 2 to join"; then the
// chosen flow runs in its place. Wrong keys: "invalid choice" and the menu again (3 tries); silence: re-prompt,
// then goodbye.
// Thread safety: the control loop only.
#pragma once

#include <memory>

#include "ivr/flow.h"
#include "ivr/flow_digits.h"

namespace confpro::ivr {

class MenuFlow final : public Flow {
 public:
  MenuFlow(FlowHost& host, const FlowOptions& options);

  void start() override;
  void digit(char d) override;
  void prompt_done(std::uint64_t tag) override;
  void timeout() override;
  void name_recorded(const std::string& file, bool ok) override;
  void booking_found(std::uint64_t request, Result<domain::Booking> booking) override;
  void pin_checked(std::uint64_t request, PinCheck check) override;
  void creator_authenticated(std::uint64_t request, Result<PhoneCreator> creator) override;
  void booking_created(std::uint64_t request, Result<domain::Booking> booking) override;

 private:
  void choose(const std::string& answer);

  FlowHost& host_;
  const FlowOptions& options_;
  DigitQuestion question_;
  std::unique_ptr<Flow> chosen_;
  int tries_ = 0;
  bool said_invalid_ = false;
  bool leaving_ = false;
  std::uint64_t message_tag_ = 0;
};

}  // namespace confpro::ivr
