// Generated speech for the prompts Debian's recordings lack: an interface, the espeak-ng adapter (resampled
// with sox to the telephone rate), and a fake for tests. Thread safety: synthesize() may be called from
// several threads at once (PromptCatalog::prepare_all() does); it blocks for up to the configured timeout, so
// never on the control loop or a media worker.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/booking.h"

namespace confpro::ivr {

using domain::Language;

class SpeechSynthesizer {
 public:
  virtual ~SpeechSynthesizer() = default;

  // Writes `text` spoken in `language` as a 16-bit mono WAV file to `out` (replacing it). Writes `out`
  // directly: making the final file appear atomically is the caller's job. Errors: kUnavailable when the
  // engine cannot be run, fails or times out; the message names the program and what it said.
  virtual Status synthesize(std::string_view text, Language language, const std::filesystem::path& out) = 0;

  // Everything besides the text that changes the audio (engine, voice, speed, rate), so a cache can tell
  // files made with other settings apart. Stable across runs.
  virtual std::string fingerprint(Language language) const = 0;
};

struct SpeechOptions {
  std::string espeak_path = "espeak-ng";     // program name (searched in PATH) or a path
  std::string voice_en = "en-us+f3";         // espeak-ng -v for English: US English, a female variant
  std::string voice_fr = "fr+f3";            // espeak-ng -v for French: France French, a female variant
  int words_per_minute = 150;                // espeak-ng -s; its default of 175 is hurried on a phone line
  std::string sox_path = "sox";              // used to resample; empty: keep espeak-ng's 22,050 Hz output
  int sample_rate_hz = 8000;                 // output rate, that of Debian's recordings; needs sox
  std::chrono::milliseconds timeout{10000};  // per program run; it is killed after that
};

// espeak-ng writes the WAV (text passed through a file, never on a command line), then sox resamples it.
std::unique_ptr<SpeechSynthesizer> make_espeak_synthesizer(SpeechOptions options);

}  // namespace confpro::ivr
