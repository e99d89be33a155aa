#include "ivr/speech_synth.h"

#include <fstream>
#include <system_error>

#include "ivr/speech_process.h"

namespace confpro::ivr {

namespace fs = std::filesystem;

namespace {

constexpr int kEspeakRateHz = 22050;

// Removes a temporary file when it goes out of scope.
class TempFile {
 public:
  explicit TempFile(fs::path p) : path_(std::move(p)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string first_line(const std::string& s) {
  auto end = s.find('\n');
  return s.substr(0, end);
}

Status run_tool(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  auto outcome = run_process(argv, timeout);
  if (!outcome) return outcome.error();
  if (outcome->exit_code != 0) {
    std::string said = first_line(outcome->error_output);
    return Error::unavailable("'" + argv[0] + "' failed with status " + std::to_string(outcome->exit_code) +
                              (said.empty() ? "" : ": " + said));
  }
  return {};
}

class EspeakSynthesizer final : public SpeechSynthesizer {
 public:
  explicit EspeakSynthesizer(SpeechOptions options) : options_(std::move(options)) {}

  Status synthesize(std::string_view text, Language language, const fs::path& out) override {
    // The text goes through a file (-f), so it is never parsed as an option or by a shell.
    TempFile text_file(fs::path(out).concat(".txt"));
    {
      std::ofstream f(text_file.path(), std::ios::binary | std::ios::trunc);
      f << text << '\n';
      if (!f) return Error::unavailable("cannot write " + text_file.path().string());
    }
    const bool resample = needs_resampling();
    TempFile raw(fs::path(out).concat(".raw.wav"));
    const fs::path& espeak_out = resample ? raw.path() : out;
    auto spoke = run_tool(
        {options_.espeak_path, "-v", voice(language), "-s", std::to_string(options_.words_per_minute), "-f",
         text_file.path().string(), "-w", espeak_out.string()},
        options_.timeout);
    if (!spoke) return spoke.error();
    if (!resample) return {};
    return run_tool(
        {options_.sox_path, "-q", raw.path().string(), "-r", std::to_string(options_.sample_rate_hz), "-c",
         "1", "-b", "16", "-e", "signed-integer", "-t", "wav", out.string(),
         // espeak-ng ends with ~0.4 s of silence; trim both ends to what the recordings have, so a generated
         // word inside a spoken number does not leave a gap.
         "silence", "1", "0.01", "0.1%", "reverse", "silence", "1", "0.01", "0.5%", "reverse", "pad", "0.05",
         "0.1"},
        options_.timeout);
  }

  std::string fingerprint(Language language) const override {
    int rate = needs_resampling() ? options_.sample_rate_hz : kEspeakRateHz;
    return "espeak-ng|" + voice(language) + "|" + std::to_string(options_.words_per_minute) + "|" +
           std::to_string(rate) + (needs_resampling() ? "|trimmed" : "");
  }

 private:
  bool needs_resampling() const {
    return !options_.sox_path.empty() && options_.sample_rate_hz > 0 &&
           options_.sample_rate_hz != kEspeakRateHz;
  }
  const std::string& voice(Language language) const {
    return language == Language::kEnglish ? options_.voice_en : options_.voice_fr;
  }

  SpeechOptions options_;
};

}  // namespace

std::unique_ptr<SpeechSynthesizer> make_espeak_synthesizer(SpeechOptions options) {
  return std::make_unique<EspeakSynthesizer>(std::move(options));
}

}  // namespace confpro::ivr
