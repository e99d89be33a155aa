// A SpeechSynthesizer for tests: writes a short silent 8 kHz WAV, counts calls, and fails on request.
// Thread safety: synthesize() may run on several threads (calls are counted atomically).
#pragma once

#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>

#include "ivr/speech_synth.h"

namespace confpro::ivr {

class FakeSpeechSynthesizer final : public SpeechSynthesizer {
 public:
  // Shared with the test after the synthesizer moves into a catalog.
  struct Stats {
    std::atomic<int> calls{0};
    std::atomic<bool> fail{false};
  };
  explicit FakeSpeechSynthesizer(Stats& stats, std::string voice = "fake")
      : stats_(stats), voice_(std::move(voice)) {}

  Status synthesize(std::string_view text, Language, const std::filesystem::path& out) override {
    ++stats_.calls;
    if (stats_.fail)
      return Error::unavailable("fake synthesizer told to fail on '" + std::string(text) + "'");
    write_silent_wav(out, 800);
    return {};
  }
  std::string fingerprint(Language language) const override {
    return voice_ + (language == Language::kEnglish ? "|en" : "|fr");
  }

  // A valid 16-bit mono 8 kHz WAV of `samples` zero samples.
  static void write_silent_wav(const std::filesystem::path& out, std::uint32_t samples) {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    auto u32 = [&](std::uint32_t v) {
      for (int i = 0; i < 4; ++i) f.put(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    auto u16 = [&](std::uint16_t v) {
      for (int i = 0; i < 2; ++i) f.put(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    const std::uint32_t data = samples * 2;
    f.write("RIFF", 4);
    u32(36 + data);
    f.write("WAVEfmt ", 8);
    u32(16);
    u16(1);      // PCM
    u16(1);      // mono
    u32(8000);   // rate
    u32(16000);  // byte rate
    u16(2);      // block align
    u16(16);     // bits
    f.write("data", 4);
    u32(data);
    for (std::uint32_t i = 0; i < data; ++i) f.put(0);
  }

 private:
  Stats& stats_;
  std::string voice_;
};

}  // namespace confpro::ivr
