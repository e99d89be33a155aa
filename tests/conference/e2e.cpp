#include "e2e.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace confpro::conftest {

bool never_dominant(const std::vector<std::int16_t>& pcm, double hz) {
  constexpr std::size_t kSpan = Softphone::kRate / 5;
  for (std::size_t at = 0; at + kSpan <= pcm.size(); at += kSpan / 2)
    if (hears_tone(std::span<const std::int16_t>(pcm.data() + at, kSpan), hz, 0.5)) return false;
  return true;
}

std::vector<std::string> pin_read_back_keys(const std::string& user_pin, const std::string& moderator_pin) {
  std::vector<std::string> keys{"participant-pin-is"};
  for (char d : user_pin) keys.push_back(std::string("digits/") + d);
  keys.emplace_back("moderator-pin-is");
  for (char d : moderator_pin) keys.push_back(std::string("digits/") + d);
  return keys;
}

void report_ms(const std::string& what, double ms) {
  std::printf("[ MEASURE  ] %s: %.0f ms\n", what.c_str(), ms);
  std::fflush(stdout);
  ::testing::Test::RecordProperty(what, std::to_string(static_cast<int>(ms)));
}

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

void ConferenceTest::TearDown() {
  if (HasFailure() && server) {
    const std::string log = server->log();
    std::fprintf(stderr, "---- confpro serve log (last 6000 bytes) ----\n%s\n----\n",
                 log.size() > 6000 ? log.substr(log.size() - 6000).c_str() : log.c_str());
  }
}

void ConferenceTest::make_server(ServerOptions options) {
  server = std::make_unique<Server>(std::move(options));
  ASSERT_TRUE(server->add_user("alice", "4242", "1357"));
}

void ConferenceTest::start_server(ServerOptions options) {
  make_server(std::move(options));
  if (HasFatalFailure()) return;
  ASSERT_TRUE(server->start());
}

std::unique_ptr<WebClient> ConferenceTest::start_with_admin(ServerOptions options) {
  options.web = true;
  make_server(std::move(options));
  if (HasFatalFailure()) return nullptr;
  const auto added = server->cli({"user", "add", "root", "--role", "admin", "--password", "root-password-1"});
  if (added.exit_code != 0) {
    ADD_FAILURE() << "admin not added: " << added.out;
    return nullptr;
  }
  if (!server->start()) {
    ADD_FAILURE() << "the server did not start";
    return nullptr;
  }
  return admin_web();
}

std::unique_ptr<WebClient> ConferenceTest::admin_web() {
  auto web = std::make_unique<WebClient>(server->web_port());
  if (web->login("root", "root-password-1")) return web;
  ADD_FAILURE() << "admin login failed";
  return nullptr;
}

Conf ConferenceTest::start_with_booking(const std::string& name, std::vector<std::string> flags) {
  return start_with_booking(ServerOptions{}, name, std::move(flags));
}

Conf ConferenceTest::start_with_booking(ServerOptions options, const std::string& name,
                                        std::vector<std::string> flags) {
  Conf c;
  [&] {
    ASSERT_NO_FATAL_FAILURE(start_server(std::move(options)));
    c = book(name, std::move(flags));
    ASSERT_NE(c.id, 0) << "no booking " << name;
  }();
  return c;
}

Conf ConferenceTest::book(const std::string& name, std::vector<std::string> flags) {
  std::vector<std::string> args{"--owner", "alice", "--user-pin", "583920", "--moderator-pin", "647185",
                                "--language", "en"};
  auto has = [&](const std::string& f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };
  if (!has("--max-participants")) args.insert(args.end(), {"--max-participants", "10"});
  if (!has("--duration")) args.insert(args.end(), {"--duration", "60"});
  if (!has("--validity-days")) args.insert(args.end(), {"--validity-days", "1"});
  args.insert(args.end(), flags.begin(), flags.end());
  auto j = server->create_booking(name, args);
  Conf c;
  EXPECT_TRUE(j.is_object()) << "booking create failed";
  if (!j.is_object()) return c;
  c.id = j.value("id", 0LL);
  c.number = j.value("number", "");
  c.user_pin = j.value("user_pin", "");
  c.moderator_pin = j.value("moderator_pin", "");
  return c;
}

std::string ConferenceTest::booking_state(const Conf& c) {
  auto j = server->cli_json({"booking", "show", c.number});
  return j.is_object() ? j.value("state", "?") : "?";
}

std::unique_ptr<Softphone> ConferenceTest::call(const std::string& name, const std::string& number, double tone_hz) {
  SoftphoneOptions o;
  o.tone_hz = tone_hz;
  return call(name, number, o);
}

std::unique_ptr<Softphone> ConferenceTest::call(const std::string& name, const std::string& number,
                                                SoftphoneOptions options) {
  if (options.caller.empty()) options.caller = "06000000" + std::to_string(10 + next_caller_++);
  auto phone = std::make_unique<Softphone>(name, std::move(options));
  phone->dial(number, server->sip_port());
  if (!phone->wait_answered(std::chrono::seconds(15))) {
    ADD_FAILURE() << name << ": call to " << number << " not answered (status " << phone->final_status() << ")";
    return nullptr;
  }
  return phone;
}

std::unique_ptr<Softphone> ConferenceTest::join_via_menu(const std::string& name, const Conf& conf,
                                                         const std::string& pin, double tone_hz) {
  auto phone = call(name, kAccessNumber, tone_hz);
  if (!phone) return nullptr;
  phone->press("2" + conf.number + "#" + pin + "#");
  if (!phone->wait_digits_sent(std::chrono::seconds(20))) ADD_FAILURE() << name << ": digits not sent";
  return phone;
}

std::unique_ptr<Softphone> ConferenceTest::dial_with_pin(const std::string& name, const Conf& conf,
                                                         const std::string& pin, const std::string& caller,
                                                         double tone_hz, const std::string& address) {
  SoftphoneOptions o;
  o.caller = caller;
  o.tone_hz = tone_hz;
  o.address = address;
  auto phone = call(name, conf.number, o);
  if (!phone) return nullptr;
  phone->press(pin + "#");
  if (!phone->wait_digits_sent()) ADD_FAILURE() << name << ": digits not sent";
  return phone;
}

void ConferenceTest::guess_wrong_pins(const Conf& conf, const std::string& caller, const std::string& address) {
  SoftphoneOptions o;
  o.caller = caller;
  o.address = address;
  Softphone x("X-guesser-" + caller, o);
  x.dial(conf.number, server->sip_port());
  ASSERT_TRUE(x.wait_answered());
  ASSERT_TRUE(wait_prompt_then_silence(x, 0)) << "no PIN prompt";
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const std::size_t mark = x.mark();
    x.press("909090#");
    ASSERT_TRUE(x.wait_digits_sent());
    if (attempt < 3) {
      ASSERT_TRUE(wait_prompt_then_silence(x, mark)) << "no re-prompt after wrong PIN " << attempt;
    }
  }
  ASSERT_TRUE(x.wait_ended(20s)) << "the server did not hang up after 3 wrong PINs";
}

std::pair<std::unique_ptr<Softphone>, std::unique_ptr<Softphone>> ConferenceTest::join_quiet_pair(
    const Conf& conf, const std::string& user_name, const std::string& moderator_name) {
  auto u = join_via_menu(user_name, conf, conf.user_pin);
  auto m = join_via_menu(moderator_name, conf, conf.moderator_pin);
  if (!u || !m) return {};
  EXPECT_TRUE(wait_log("joined as user") && wait_log("joined as moderator")) << "the pair did not join";
  EXPECT_TRUE(u->wait_quiet(u->mark(), 700ms, 20s) && m->wait_quiet(m->mark(), 700ms, 20s)) << "prompts never end";
  return {std::move(u), std::move(m)};
}

bool ConferenceTest::wait_tone(Softphone& phone, double hz, std::chrono::milliseconds timeout, double fraction) {
  // Half a second where the tone carries most of the energy: the prompts mixed over the room are over.
  return phone
      .wait_heard(phone.mark(), [&](std::span<const std::int16_t> w) { return hears_tone(w, hz, fraction); },
                  timeout, std::chrono::milliseconds(500))
      .has_value();
}

bool ConferenceTest::wait_prompt_then_silence(Softphone& phone, std::size_t from, std::chrono::milliseconds quiet,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto sound = phone.wait_heard(from, [](std::span<const std::int16_t> w) { return !is_silent(w); }, timeout,
                                std::chrono::milliseconds(20));
  if (!sound) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return phone.wait_quiet(sound->end, quiet, left);
}

std::optional<double> ConferenceTest::log_time_ms(const std::string& text) const {
  const std::string log = server->log();
  const auto at = log.find(text);
  if (at == std::string::npos) return std::nullopt;
  const auto bol = log.rfind('\n', at);
  const std::string line = log.substr(bol == std::string::npos ? 0 : bol + 1, 23);
  int h = 0, m = 0, sec = 0, ms = 0;
  if (std::sscanf(line.c_str(), "%*4d-%*2d-%*2dT%2d:%2d:%2d.%3d", &h, &m, &sec, &ms) != 4) return std::nullopt;
  return ((h * 60.0 + m) * 60.0 + sec) * 1000.0 + ms;
}

bool ConferenceTest::wait_log(const std::string& text, std::chrono::milliseconds timeout, int times) {
  auto count = [&] {
    const std::string log = server->log();
    int n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (count() >= times) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return count() >= times;
}

std::optional<PromptMatch> ConferenceTest::wait_prompt(Softphone& phone, const std::vector<std::string>& keys,
                                                       domain::Language language, std::size_t from,
                                                       std::chrono::milliseconds timeout) {
  const auto prompt = prompt_audio(keys, language);
  if (prompt.empty()) {
    ADD_FAILURE() << "no audio for the prompt " << keys.front();
    return std::nullopt;
  }
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t scanned = from;  // offsets before this were tried already (with all the audio they need)
  double best = 0;
  for (;;) {
    const bool last = phone.ended() || SteadyClock::now() >= deadline;
    const auto heard = phone.heard_since(from);
    const std::size_t start = scanned - from;
    auto m = find_prompt(heard, prompt, start);
    best = std::max(best, m.score);
    if (m.score >= kHeardScore) return PromptMatch{m.at + from, m.end + from, m.score};
    const std::size_t window = std::min<std::size_t>(prompt.size(), 1500 * Softphone::kRate / 1000);
    if (heard.size() > window) scanned = std::max(scanned, from + heard.size() - window);
    if (last) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  std::fprintf(stderr, "%s: prompt %s not heard (best score %.2f)\n", phone.name().c_str(), keys.front().c_str(), best);
  return std::nullopt;
}

double ConferenceTest::prompt_score(const Softphone& phone, const std::vector<std::string>& keys,
                                    domain::Language language, std::size_t from) {
  const auto prompt = prompt_audio(keys, language);
  if (prompt.empty()) {
    ADD_FAILURE() << "no audio for the prompt " << keys.front();
    return 1.0;
  }
  return find_prompt(phone.heard_since(from), prompt).score;
}

}  // namespace confpro::conftest
