#include "ivr/prompt_catalog.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <system_error>
#include <thread>

#include "common/thread_annotations.h"
#include "ivr/prompt_table.h"

namespace confpro::ivr {

namespace fs = std::filesystem;
using domain::Language;

namespace {

constexpr std::uintmax_t kWavHeaderBytes = 44;
constexpr Language kLanguages[] = {Language::kFrench, Language::kEnglish};

std::string lang_code(Language l) {
  return l == Language::kEnglish ? "en" : "fr";
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// <root>/<lang> if it is a folder, else the first <root>/<lang>_* folder by name, else empty.
fs::path find_language_dir(const fs::path& root, const std::string& lang) {
  if (root.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(root / lang, ec)) return fs::absolute(root / lang, ec);
  std::vector<fs::path> candidates;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(lang + "_", 0) == 0 && it->is_directory(ec)) candidates.push_back(it->path());
  }
  if (candidates.empty()) return {};
  std::sort(candidates.begin(), candidates.end());
  return fs::absolute(candidates.front(), ec);
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// FNV-1a, 64 bits: stable across runs and builds (std::hash is not), which a disk cache needs.
std::string stable_hash(std::string_view a, std::string_view b) {
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  };
  mix(a);
  mix(b);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// "digits/7" → "digits_7": one flat file name per key in the cache folder.
std::string flat_name(std::string_view key) {
  std::string s(key);
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

bool is_hex16(std::string_view s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Removes <dir>/<flat>-<other hash>.wav left by an earlier text or voice.
void remove_stale(const fs::path& keep) {
  const std::string keep_name = keep.filename().string();
  const std::string prefix =
      keep_name.substr(0, keep_name.size() - std::string("0123456789abcdef.wav").size());
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(keep.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == keep_name || name.rfind(prefix, 0) != 0 || name.size() != keep_name.size()) continue;
    if (name.ends_with(".wav") && is_hex16(std::string_view(name).substr(prefix.size(), 16))) {
      stale.push_back(it->path());
    }
  }
  for (const auto& p : stale) fs::remove(p, ec);
}

fs::path temp_path_for(const fs::path& final_path) {
  static std::atomic<unsigned> counter{0};
  return final_path.parent_path() / ("." + final_path.stem().string() + ".tmp-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(counter++) + ".wav");
}

}  // namespace

const char* to_string(PromptSource s) {
  switch (s) {
    case PromptSource::kOverride:
      return "override";
    case PromptSource::kRecording:
      return "recording";
    case PromptSource::kGenerated:
      return "generated";
  }
  return "generated";
}

struct PromptCatalog::Resolved {
  PromptSource source = PromptSource::kGenerated;
  std::vector<std::string> files;  // for kGenerated: the cache file, which may not exist yet
  std::string text;                // for kGenerated: what to speak
};

PromptCatalog::PromptCatalog(Options options, std::unique_ptr<SpeechSynthesizer> synthesizer)
    : options_(std::move(options)), synthesizer_(std::move(synthesizer)) {
  if (!synthesizer_) synthesizer_ = make_espeak_synthesizer(options_.speech);
  sounds_en_ = find_language_dir(options_.sounds_dir, "en");
  sounds_fr_ = find_language_dir(options_.sounds_dir, "fr");
  std::error_code ec;
  if (!options_.generated_dir.empty()) options_.generated_dir = fs::absolute(options_.generated_dir, ec);
  if (!options_.overrides_dir.empty()) options_.overrides_dir = fs::absolute(options_.overrides_dir, ec);
}

PromptCatalog::~PromptCatalog() = default;

std::vector<std::string> PromptCatalog::keys() {
  std::vector<std::string> out;
  for (auto list : {sentence_prompts(), word_prompts()}) {
    for (const auto& e : list) out.emplace_back(e.key);
  }
  return out;
}

Result<std::string> PromptCatalog::text(std::string_view key, Language language) const {
  const PromptEntry* entry = find_prompt(key);
  if (!entry) return Error::not_found("no prompt named '" + std::string(key) + "'");
  auto custom = options_.texts.find(lang_code(language) + "/" + std::string(key));
  if (custom != options_.texts.end()) return custom->second;
  return std::string(language == Language::kEnglish ? entry->text_en : entry->text_fr);
}

Result<PromptCatalog::Resolved> PromptCatalog::resolve(std::string_view key, Language language) const {
  const PromptEntry* entry = find_prompt(key);
  if (!entry) return Error::not_found("no prompt named '" + std::string(key) + "'");
  const std::string lang = lang_code(language);

  if (!options_.overrides_dir.empty()) {
    fs::path custom = options_.overrides_dir / lang / (std::string(key) + ".wav");
    if (is_file(custom)) return Resolved{PromptSource::kOverride, {custom.string()}, {}};
  }

  const fs::path& sounds = language == Language::kEnglish ? sounds_en_ : sounds_fr_;
  auto names = split_words(language == Language::kEnglish ? entry->recording_en : entry->recording_fr);
  if (!sounds.empty() && !names.empty()) {
    std::vector<std::string> paths;
    for (const auto& name : names) {
      fs::path p = sounds / (name + ".wav");
      if (!is_file(p)) break;
      paths.push_back(p.string());
    }
    if (paths.size() == names.size()) return Resolved{PromptSource::kRecording, std::move(paths), {}};
  }

  auto spoken = text(key, language);
  if (!spoken) return spoken.error();
  fs::path cached =
      options_.generated_dir / lang /
      (flat_name(key) + "-" + stable_hash(*spoken, synthesizer_->fingerprint(language)) + ".wav");
  return Resolved{PromptSource::kGenerated, {cached.string()}, std::move(*spoken)};
}

Status PromptCatalog::generate(const Resolved& r, Language language, bool replaces_older) const {
  const fs::path final_path = r.files.front();
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec)
    return Error::unavailable("cannot create " + final_path.parent_path().string() + ": " + ec.message());
  const fs::path tmp = temp_path_for(final_path);
  auto made = synthesizer_->synthesize(r.text, language, tmp);
  if (made) {
    const auto size = fs::file_size(tmp, ec);
    if (ec || size <= kWavHeaderBytes)
      made = Error::unavailable("speech for '" + r.text + "' came out empty");
  }
  if (made) {
    fs::rename(tmp, final_path, ec);
    if (ec) made = Error::unavailable("cannot write " + final_path.string() + ": " + ec.message());
  }
  if (!made) {
    fs::remove(tmp, ec);
    return made.error();
  }
  if (replaces_older) remove_stale(final_path);
  return {};
}

Result<std::string> PromptCatalog::speak(std::string_view text, Language language) const {
  Resolved r{PromptSource::kGenerated, {}, std::string(text)};
  r.files.push_back((options_.generated_dir / lang_code(language) /
                     ("said-" + stable_hash(text, synthesizer_->fingerprint(language)) + ".wav"))
                        .string());
  if (!is_file(r.files.front())) {
    if (auto made = generate(r, language, false); !made) return made.error();
  }
  return r.files.front();
}

Result<std::vector<std::string>> PromptCatalog::files(std::string_view key, Language language) const {
  auto r = resolve(key, language);
  if (!r) return r.error();
  if (r->source == PromptSource::kGenerated && !is_file(r->files.front())) {
    auto made = generate(*r, language);
    if (!made) {
      return Error::unavailable("prompt '" + std::string(key) + "' (" + lang_code(language) +
                                ") could not be generated: " + made.error().message);
    }
  }
  return std::move(r->files);
}

Result<std::vector<std::string>> PromptCatalog::files(const std::vector<std::string>& keys,
                                                      Language language) const {
  std::vector<std::string> out;
  for (const auto& key : keys) {
    auto f = files(key, language);
    if (!f) return f.error();
    out.insert(out.end(), f->begin(), f->end());
  }
  return out;
}

Result<PromptSource> PromptCatalog::source(std::string_view key, Language language) const {
  auto r = resolve(key, language);
  if (!r) return r.error();
  return r->source;
}

Result<PrepareReport> PromptCatalog::prepare_all() {
  const auto started = std::chrono::steady_clock::now();
  PrepareReport report;
  std::vector<std::pair<Resolved, Language>> missing;
  for (Language language : kLanguages) {
    for (const auto& key : keys()) {
      auto r = resolve(key, language);
      if (!r) return r.error();  // only an unknown key, which keys() cannot produce
      switch (r->source) {
        case PromptSource::kOverride:
          ++report.overridden;
          break;
        case PromptSource::kRecording:
          ++report.recorded;
          break;
        case PromptSource::kGenerated:
          if (is_file(r->files.front())) {
            ++report.reused;
          } else {
            missing.emplace_back(std::move(*r), language);
          }
          break;
      }
    }
  }

  // The generator threads' failures (Clang checks the lock: common/thread_annotations.h).
  struct Failures {
    void add(std::string message) {
      MutexLock lock(mu);
      list.push_back(std::move(message));
    }
    std::vector<std::string> taken() {
      MutexLock lock(mu);
      return std::move(list);
    }
    Mutex mu;
    std::vector<std::string> list GUARDED_BY(mu);
  } failed;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < missing.size(); i = next++) {
      auto made = generate(missing[i].first, missing[i].second);
      if (!made) failed.add(made.error().message);
    }
  };
  std::vector<std::thread> threads;
  const int jobs = std::clamp(options_.jobs, 1, 16);
  for (int i = 1; i < jobs && static_cast<std::size_t>(i) < missing.size(); ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  const std::vector<std::string> failures = failed.taken();

  report.generated = static_cast<int>(missing.size() - failures.size());
  for (const auto& [name, text] : options_.texts) {
    const auto slash = name.find('/');
    const std::string lang = name.substr(0, slash);
    if (slash == std::string::npos || (lang != "en" && lang != "fr") ||
        !find_prompt(name.substr(slash + 1))) {
      report.unknown_texts.push_back(name);
    }
  }
  report.took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!failures.empty()) {
    return Error::unavailable(std::to_string(failures.size()) + " of " + std::to_string(missing.size()) +
                              " prompts could not be generated; first: " + failures.front());
  }
  return report;
}

Result<std::vector<std::string>> PromptCatalog::music_on_hold_files() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(options_.moh_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".wav" && is_file(it->path()))
      out.push_back(fs::absolute(it->path()).string());
  }
  if (out.empty()) return Error::not_found("no music on hold (*.wav) in " + options_.moh_dir.string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<PromptInfo> PromptCatalog::describe(Language language) const {
  std::vector<PromptInfo> out;
  for (const auto& key : keys()) {
    auto r = resolve(key, language);
    if (!r) continue;  // keys() are all known
    PromptInfo info{key, r->source, *text(key, language), r->files, true};
    if (r->source == PromptSource::kGenerated) info.ready = is_file(r->files.front());
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace confpro::ivr
