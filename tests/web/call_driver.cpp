// call_driver: real SIP callers for the browser tests, driven by a node test over stdin/stdout, one JSON
// object a line each way (one answer line per command, in order). Each caller is a tests/conference Softphone
// (sofia-sip UAC, PCMU RTP, RFC 4733 digits, what it hears decoded and kept).
//
// Commands ("phone" names a caller; times in ms; answers always carry "ok"):
//   {"op":"dial","phone":"A","number":"3001","port":5062,"tone_hz":440,"caller":"0611"} →
//   {"ok":true,"status":200}
//   {"op":"press","phone":"A","digits":"2123456#"}   → {"ok":true,"sent_at":<epoch ms of the last digit's
//   end>}
//   {"op":"wait_tone","phone":"B","hz":440,"timeout":10000,"fraction":0.9}  → {"ok":true} once 500 ms of
//   heard
//       audio is mostly that tone
//   {"op":"wait_absent","phone":"B","hz":440,"timeout":3000}  → {"ok":true} once 100 ms of heard audio has no
//       trace of it
//   {"op":"listen","phone":"B","hz":440,"span":1500} →
//   {"ok":true,"heard":bool,"absent":bool,"power":x,"rms":y}
//   {"op":"wait_ended","phone":"A","timeout":5000}   → {"ok":<ended>,"bye_received":bool}
//   {"op":"hang_up","phone":"A"}                     → {"ok":<call over>}
//   {"op":"answer","phone":"T","sip_port":5090,"tone_hz":0} → {"ok":true}: a phone answering the first call that
//       reaches that port (the trunk's far end, for invites by number)
//   {"op":"wait_answered","phone":"T","timeout":5000} → {"ok":<a call was answered>,"to":"<number called>"}
//   {"op":"prompt_timing","phone":"A","timeout":5000,"span":1000} → {"ok":true,"onset_ms":x,"jitter_ms":y,
//       "packets":n}: the first audible 20 ms after the answer (onset: ms from the 200 OK), then over `span` of
//       what follows, how far packets strayed from a steady 20 ms pace (max − min lateness; for benchmarks)
// Unknown ops, missing fields and unknown phones answer {"ok":false,"error":"..."}. End of input hangs up
// all.
//
// Thread safety: one thread reads commands and answers them; the phones run their own pump threads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/conference/softphone.h"

namespace {

using confpro::conftest::Softphone;
using nlohmann::json;
using std::chrono::milliseconds;

double epoch_ms(confpro::conftest::SteadyClock::time_point at) {
  // The steady time point shown on the wall clock (the browser and the server log use wall-clock times).
  const auto now_steady = confpro::conftest::SteadyClock::now();
  const auto now_wall = std::chrono::system_clock::now();
  const auto wall =
      now_wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(now_steady - at);
  return std::chrono::duration<double, std::milli>(wall.time_since_epoch()).count();
}

class Driver {
 public:
  json handle(const json& cmd) {
    const std::string op = cmd.value("op", "");
    const std::string name = cmd.value("phone", "");
    if (name.empty()) return fail("missing \"phone\"");
    if (op == "dial") return dial(name, cmd);
    if (op == "answer") return answer(name, cmd);
    const auto it = phones_.find(name);
    if (it == phones_.end()) return fail("unknown phone " + name);
    Softphone& p = *it->second;
    const milliseconds timeout{cmd.value("timeout", 5000)};
    if (op == "press") {
      p.press(cmd.value("digits", ""));
      const bool sent = p.wait_digits_sent(milliseconds(20000));
      json r{{"ok", sent}};
      // The last digit's first packet plus its 100 ms of events: when the server can act on it.
      if (const auto at = p.last_digit_at()) r["sent_at"] = epoch_ms(*at) + 100;
      return r;
    }
    if (op == "wait_tone") {
      const double hz = cmd.value("hz", 0.0), fraction = cmd.value("fraction", 0.9);
      const auto w = p.wait_heard(
          p.mark(),
          [&](std::span<const std::int16_t> pcm) { return confpro::conftest::hears_tone(pcm, hz, fraction); },
          timeout, milliseconds(500));
      return w ? json{{"ok", true}, {"at", epoch_ms(w->at)}} : json{{"ok", false}};
    }
    if (op == "wait_absent") {
      const double hz = cmd.value("hz", 0.0);
      const auto w = p.wait_heard(
          p.mark(),
          [&](std::span<const std::int16_t> pcm) { return confpro::conftest::tone_absent(pcm, hz); }, timeout,
          milliseconds(100));
      return w ? json{{"ok", true}, {"at", epoch_ms(w->at)}} : json{{"ok", false}};
    }
    if (op == "listen") {
      const double hz = cmd.value("hz", 0.0);
      const auto pcm = p.listen(milliseconds(cmd.value("span", 1000)));
      return {{"ok", true},
              {"samples", pcm.size()},
              {"heard", confpro::conftest::hears_tone(pcm, hz, cmd.value("fraction", 0.5))},
              {"absent", confpro::conftest::tone_absent(pcm, hz)},
              {"power", confpro::conftest::power_at(pcm, hz)},
              {"rms", confpro::conftest::rms(pcm)}};
    }
    if (op == "prompt_timing") return prompt_timing(p, cmd, timeout);
    if (op == "wait_ended") {
      const bool ended = p.wait_ended(timeout);
      return {{"ok", ended}, {"bye_received", p.bye_received()}};
    }
    if (op == "hang_up") return {{"ok", p.hang_up(timeout)}};
    if (op == "wait_answered") {
      const bool ok = p.wait_answered(timeout);
      return {{"ok", ok}, {"to", p.incoming_to()}};
    }
    return fail("unknown op " + op);
  }

  void hang_up_all() {
    for (auto& [name, phone] : phones_)
      if (!phone->ended()) phone->hang_up(milliseconds(2000));
  }

 private:
  static json fail(const std::string& why) { return {{"ok", false}, {"error", why}}; }

  json dial(const std::string& name, const json& cmd) {
    if (phones_.count(name)) return fail("phone " + name + " exists");
    const std::string number = cmd.value("number", "");
    const int port = cmd.value("port", 0);
    if (number.empty() || port <= 0 || port > 65535) return fail("dial needs \"number\" and \"port\"");
    auto phone = std::make_unique<Softphone>(name, cmd.value("tone_hz", 0.0), cmd.value("caller", ""));
    phone->dial(number, static_cast<std::uint16_t>(port));
    const bool answered = phone->wait_answered(milliseconds(cmd.value("timeout", 5000)));
    const int status = phone->final_status();
    phones_[name] = std::move(phone);
    return {{"ok", answered}, {"status", status}};
  }

  static json prompt_timing(Softphone& p, const json& cmd, milliseconds timeout) {
    const auto answered = p.answered_at();
    if (!answered) return fail("not answered");
    constexpr std::size_t kPacket = Softphone::kRate / 50;  // 20 ms of 8 kHz audio
    const auto onset = p.wait_heard(
        0, [](std::span<const std::int16_t> pcm) { return confpro::conftest::rms(pcm) > 300.0; }, timeout,
        milliseconds(20));
    if (!onset) return fail("nothing heard");
    const milliseconds span{cmd.value("span", 1000)};
    p.listen(span);
    const std::size_t first = onset->end - kPacket;
    double lo = 0, hi = 0;
    int packets = 0;
    for (std::size_t k = 0;; ++k) {
      const auto at = p.arrival_of(first + k * kPacket);
      if (!at || *at - onset->at > span) break;
      const double late =
          std::chrono::duration<double, std::milli>(*at - onset->at).count() - 20.0 * static_cast<double>(k);
      lo = std::min(lo, late);
      hi = std::max(hi, late);
      ++packets;
    }
    return {{"ok", true},
            {"onset_ms", std::chrono::duration<double, std::milli>(onset->at - *answered).count()},
            {"jitter_ms", hi - lo},
            {"packets", packets}};
  }

  json answer(const std::string& name, const json& cmd) {
    if (phones_.count(name)) return fail("phone " + name + " exists");
    const int port = cmd.value("sip_port", 0);
    if (port <= 0 || port > 65535) return fail("answer needs \"sip_port\"");
    confpro::conftest::SoftphoneOptions o;
    o.sip_port = static_cast<std::uint16_t>(port);
    o.tone_hz = cmd.value("tone_hz", 0.0);
    phones_[name] = std::make_unique<Softphone>(name, o);
    return {{"ok", true}};
  }

  std::map<std::string, std::unique_ptr<Softphone>> phones_;
};

}  // namespace

int main() {
  Driver driver;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const json cmd = json::parse(line, nullptr, /*allow_exceptions=*/false);
    const json answer =
        cmd.is_object() ? driver.handle(cmd) : json{{"ok", false}, {"error", "not a JSON object"}};
    std::cout << answer.dump() << std::endl;
  }
  driver.hang_up_all();
  return 0;
}
