// Shared fixture of the conference end-to-end tests: a started server with an owner, bookings made with the
// CLI, and callers that join through the access number or by dialling the conference number.
// Thread safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prompts.h"
#include "server.h"
#include "softphone.h"
#include "web_client.h"

// EXPECT_EQ on a query's rows, polled until they match (history rows are written by the server's writer
// thread a few ms after the event the test waited for). Usage: EXPECT_SQL_EQ(*server, query,
// std::vector<std::string>{"1"}).
#define EXPECT_SQL_EQ(server, query, ...)                                       \
  EXPECT_EQ((server).sql_until((query), std::vector<std::string>(__VA_ARGS__)), \
            std::vector<std::string>(__VA_ARGS__))                              \
      << "query: " << (query)

namespace confpro::conftest {

constexpr const char* kAccessNumber = "3001";  // English main menu
constexpr double kToneA = 440, kToneB = 1000, kToneC = 1700;

struct Conf {
  long long id = 0;
  std::string number, user_pin, moderator_pin;
};

// No 200 ms stretch of `pcm` where `hz` carries half the energy: the caller never heard that participant.
bool never_dominant(const std::vector<std::int16_t>& pcm, double hz);

// The keys of a PIN read-back: "participant-pin-is", the user PIN digit by digit, "moderator-pin-is", the
// moderator PIN digit by digit (ivr/say.h).
std::vector<std::string> pin_read_back_keys(const std::string& user_pin, const std::string& moderator_pin);

// Prints a measured figure (and records it in the test's XML output).
void report_ms(const std::string& what, double ms);
double ms_between(SteadyClock::time_point from, SteadyClock::time_point to);

class ConferenceTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Creates the server (not started), with alice (phone account 4242, PIN 1357) as owner.
  void make_server(ServerOptions options = {});
  // make_server + start; the test fails if it does not come up.
  void start_server(ServerOptions options = {});
  // make_server with the web console on (options.web), an administrator "root", start; then a WebClient logged
  // in as root. nullptr (the test failed) when a step fails.
  std::unique_ptr<WebClient> start_with_admin(ServerOptions options = {});
  // A WebClient logged in as root on the running server; nullptr (the test failed) when the login fails.
  std::unique_ptr<WebClient> admin_web();
  // start_server + book: the conference every test starts with. Fatal failure (check HasFatalFailure()) when
  // the server does not come up or the booking is not made.
  Conf start_with_booking(const std::string& name, std::vector<std::string> flags = {});
  Conf start_with_booking(ServerOptions options, const std::string& name, std::vector<std::string> flags = {});
  // booking create --owner alice with fixed PINs (user 583920, moderator 647185) and `flags`.
  Conf book(const std::string& name, std::vector<std::string> flags = {});
  std::string booking_state(const Conf& c);

  // Dials `number` and waits for 200 OK; nullptr (test failed) otherwise. An empty options.caller gets the
  // next test caller number (06000000NN).
  std::unique_ptr<Softphone> call(const std::string& name, const std::string& number, double tone_hz = 0);
  std::unique_ptr<Softphone> call(const std::string& name, const std::string& number,
                                  SoftphoneOptions options);
  // Access number → "2" → number# → pin#. Returns once the digits are sent (joining happens on the server).
  std::unique_ptr<Softphone> join_via_menu(const std::string& name, const Conf& conf, const std::string& pin,
                                           double tone_hz = 0);
  // `caller` dials the conference number directly and keys `pin`#; returns once the digits are sent (nullptr,
  // test failed, when the call is not answered).
  // `address`: the phone's own 127.0.0.x (another one is another source to the server).
  std::unique_ptr<Softphone> dial_with_pin(const std::string& name, const Conf& conf, const std::string& pin,
                                           const std::string& caller, double tone_hz = 0,
                                           const std::string& address = "127.0.0.1");
  // `caller` dials the conference number directly from `address` and keys a wrong PIN three times (re-prompted
  // between tries); returns once the server hung up.
  void guess_wrong_pins(const Conf& conf, const std::string& caller, const std::string& address = "127.0.0.1");
  // Joins a silent user (`user_name`) and a silent moderator (`moderator_name`) and waits until both are in
  // and their prompts are over: what they hear next is what the test makes happen.
  std::pair<std::unique_ptr<Softphone>, std::unique_ptr<Softphone>> join_quiet_pair(
      const Conf& conf, const std::string& user_name, const std::string& moderator_name);
  // Waits until `phone` hears `hz` carrying most of what it hears (prompts over), for up to `timeout`.
  bool wait_tone(Softphone& phone, double hz, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                 double fraction = 0.9);
  // Waits until `phone` heard sound after `from` and then `quiet` of silence: a prompt played and ended, the
  // IVR now waits for digits.
  bool wait_prompt_then_silence(Softphone& phone, std::size_t from,
                                std::chrono::milliseconds quiet = std::chrono::milliseconds(700),
                                std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Time of day (ms) of the first server log line containing `text` (lines start "YYYY-MM-DDTHH:MM:SS.mmm").
  std::optional<double> log_time_ms(const std::string& text) const;
  // Waits until the server log has `text` (at least `times` times).
  bool wait_log(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(15),
                int times = 1);
  // Waits until `phone` heard the prompt `keys` (in `language`) after heard index `from`: its match, or
  // nothing (the best score is printed) on timeout or call end.
  std::optional<PromptMatch> wait_prompt(Softphone& phone, const std::vector<std::string>& keys,
                                         domain::Language language, std::size_t from,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // How well the prompt `keys` matches anything `phone` heard after `from` (< kHeardScore: not heard).
  double prompt_score(const Softphone& phone, const std::vector<std::string>& keys, domain::Language language,
                      std::size_t from);

  std::unique_ptr<Server> server;
  int next_caller_ = 0;
};

}  // namespace confpro::conftest
