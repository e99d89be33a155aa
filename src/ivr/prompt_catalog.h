// The prompt catalog: for each prompt key and language, the WAV file(s) to play, in order. A prompt comes
// from (1) the operator's override folder, (2) Debian's recordings (asterisk-core-sounds-{en,fr}-wav) when
// one fits, (3) speech generated with espeak-ng from the prompt's text, made once and cached on disk.
//
// Thread safety: construct on one thread and call prepare_all() at start, before the catalog is shared. After
// that every const method may be called from any thread at once: they only look at the file system. files()
// of a generated prompt whose cached file is missing (prepare_all() not run, or the file deleted) generates
// it on the spot and blocks for up to the speech timeout — prepare_all() at start is what keeps the control
// loop from ever waiting on espeak-ng.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/booking.h"
#include "ivr/speech_synth.h"

namespace confpro::ivr {

enum class PromptSource { kOverride, kRecording, kGenerated };
const char* to_string(PromptSource s);  // "override" | "recording" | "generated"

struct PrepareReport {
  int generated = 0;   // speech files written by this call
  int reused = 0;      // generated prompts whose cached file was already there
  int overridden = 0;  // prompts the operator's folder provides
  int recorded = 0;    // prompts Debian's recordings provide
  std::chrono::milliseconds took{0};
  // Options::texts entries that name no prompt ("<lang>/<key>" with an unknown language or key): likely typos
  // in the operator's configuration, worth a warning.
  std::vector<std::string> unknown_texts;
};

// One prompt as the catalog would play it now, for an administrator's listing.
struct PromptInfo {
  std::string key;
  PromptSource source = PromptSource::kGenerated;
  std::string text;
  std::vector<std::string> files;  // for kGenerated: the cache file, present once generated
  bool ready = true;               // false: a generated prompt whose file is not there yet
};

class PromptCatalog {
 public:
  struct Options {
    // Debian's sounds: per language <sounds_dir>/<lang>/ (the alternatives symlinks), or else the first
    // folder named <lang>_* (en_US_f_Allison, fr_CA_f_June). A language with neither is all generated.
    std::filesystem::path sounds_dir = "/usr/share/asterisk/sounds";
    std::filesystem::path moh_dir = "/usr/share/asterisk/moh";  // music on hold: every *.wav, sorted by name
    // Operator recordings, checked first: <overrides_dir>/<lang>/<key>.wav (e.g. fr/main-menu.wav,
    // en/digits/7.wav). Empty: none. Read on every call, so a file dropped in takes effect at once.
    std::filesystem::path overrides_dir;
    // Cache of generated speech: <generated_dir>/<lang>/<key>-<hash>.wav, the hash covering the text and the
    // synthesizer's settings, so a changed text or voice makes a new file (the old one is removed).
    std::filesystem::path generated_dir = "/var/lib/confpro/prompts";
    SpeechOptions speech;  // espeak-ng and sox settings (used when no synthesizer is passed in)
    // Replacement texts for generated prompts, keyed "<lang>/<key>" (e.g. "en/welcome"): an operator names
    // the service without recording anything. Keys not in the catalog are ignored.
    std::map<std::string, std::string, std::less<>> texts;
    int jobs = 2;  // prepare_all(): speech files generated in parallel
  };

  // `synthesizer` null: espeak-ng with options.speech.
  explicit PromptCatalog(Options options, std::unique_ptr<SpeechSynthesizer> synthesizer = nullptr);
  ~PromptCatalog();
  PromptCatalog(const PromptCatalog&) = delete;
  PromptCatalog& operator=(const PromptCatalog&) = delete;

  // The files to play for `key` in `language`, in order (absolute paths). Errors: kNotFound for a key the
  // catalog does not have; kUnavailable when the prompt must be generated and generation fails.
  Result<std::vector<std::string>> files(std::string_view key, domain::Language language) const;

  // files() of each key in turn, concatenated: a sentence such as "your conference number is" + digits.
  Result<std::vector<std::string>> files(const std::vector<std::string>& keys,
                                         domain::Language language) const;

  // Where files() would take `key` from, without generating anything. kNotFound for an unknown key.
  Result<PromptSource> source(std::string_view key, domain::Language language) const;

  // The text of `key` in `language` (after Options::texts). kNotFound for an unknown key.
  Result<std::string> text(std::string_view key, domain::Language language) const;

  // Every key: sentences first, then words.
  static std::vector<std::string> keys();

  // Generates every missing speech file, both languages, so later calls never wait on espeak-ng. Idempotent:
  // a second run finds everything cached. Errors: kUnavailable naming how many prompts failed and the first
  // reason (the others that succeeded are kept).
  Result<PrepareReport> prepare_all();

  // Speech for a text that is no prompt (a conference's name, an organizer's) in `language`: the path of a WAV
  // file in the generated cache (<generated_dir>/<lang>/said-<hash>.wav, kept for the next time). Blocks for
  // up to the speech timeout when not cached: never on the control loop. Errors: kUnavailable when it fails.
  Result<std::string> speak(std::string_view text, domain::Language language) const;

  // Music on hold: the *.wav files of moh_dir, sorted. kNotFound when there are none.
  Result<std::vector<std::string>> music_on_hold_files() const;

  // Every prompt in `language`, in keys() order, without generating anything.
  std::vector<PromptInfo> describe(domain::Language language) const;

 private:
  struct Resolved;
  Result<Resolved> resolve(std::string_view key, domain::Language language) const;
  // `replaces_older`: remove the files of earlier texts of the same key (not for speak()'s files).
  Status generate(const Resolved& r, domain::Language language, bool replaces_older = true) const;

  Options options_;
  std::unique_ptr<SpeechSynthesizer> synthesizer_;
  std::filesystem::path sounds_en_;  // resolved language folders; empty when absent
  std::filesystem::path sounds_fr_;
};

}  // namespace confpro::ivr
