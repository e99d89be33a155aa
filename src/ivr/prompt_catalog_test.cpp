#include "ivr/prompt_catalog.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "ivr/prompt_table.h"
#include "ivr/speech_synth_fake.h"

namespace confpro::ivr {
namespace {

namespace fs = std::filesystem;
using domain::Language;

constexpr Language kBoth[] = {Language::kFrench, Language::kEnglish};
const char* kDebianSounds = "/usr/share/asterisk/sounds";

// A fresh folder under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "confpro-prompts-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

PromptCatalog::Options options_in(const TempDir& dir) {
  PromptCatalog::Options o;
  o.sounds_dir = kDebianSounds;
  o.overrides_dir = dir.path() / "overrides";
  o.generated_dir = dir.path() / "generated";
  return o;
}

std::vector<std::string> files_of(const PromptCatalog& c, std::string_view key, Language l) {
  auto r = c.files(key, l);
  EXPECT_TRUE(r.ok()) << key << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<std::string>{};
}

bool is_wav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char head[12] = {};
  f.read(head, sizeof head);
  return f && std::string(head, 4) == "RIFF" && std::string(head + 8, 4) == "WAVE";
}

TEST(PromptCatalog, EveryKeyResolvesToExistingWavFilesInBothLanguages) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  for (Language l : kBoth) {
    for (const auto& key : PromptCatalog::keys()) {
      auto files = files_of(catalog, key, l);
      ASSERT_FALSE(files.empty()) << key;
      for (const auto& f : files) EXPECT_TRUE(is_wav(f)) << key << " → " << f;
    }
  }
}

TEST(PromptCatalog, HasEveryPromptTheFlowsNeedWithATextInBothLanguages) {
  const char* needed[] = {"enter-conference-number",
                          "enter-pin",
                          "invalid-pin",
                          "conference-full",
                          "conference-locked",
                          "conference-not-yet-valid",
                          "conference-ended",
                          "conference-unknown",
                          "not-on-allow-list",
                          "only-person",
                          "wait-for-leader",
                          "has-joined",
                          "has-left",
                          "record-name",
                          "beep",
                          "goodbye",
                          "main-menu",
                          "your-conference-number-is",
                          "valid-until",
                          "for-up-to",
                          "participants",
                          "minutes",
                          "press-1-to-repeat",
                          "warning-5-minutes",
                          "credit-low",
                          "conference-has-ended",
                          "invited-to-conference",
                          "press-1-to-join",
                          "enter-account-number",
                          "enter-account-pin",
                          "how-many-minutes",
                          "how-many-participants",
                          "conference-created",
                          "muted",
                          "unmuted",
                          "all-muted",
                          "all-unmuted",
                          "locked-now",
                          "unlocked-now",
                          "recording-started",
                          "recording-stopped",
                          "there-are",
                          "participants-in-conference",
                          "help-user",
                          "help-moderator",
                          "kicked",
                          "try-again",
                          "too-many-failures",
                          "not-allowed-to-create",
                          "too-many-conferences",
                          "leader-has-left",
                          "please-hold",
                          "listen-only",
                          "invalid-account"};
  for (const char* key : needed) {
    const PromptEntry* e = find_prompt(key);
    ASSERT_NE(e, nullptr) << key;
    EXPECT_FALSE(e->text_en.empty()) << key;
    EXPECT_FALSE(e->text_fr.empty()) << key;
  }
}

TEST(PromptCatalog, KeysAreUnique) {
  auto keys = PromptCatalog::keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
}

TEST(PromptCatalog, DebianRecordingsAreUsedWhereTheyExistInBothLanguages) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  for (const char* key :
       {"enter-pin", "enter-conference-number", "invalid-pin", "conference-full", "only-person",
        "record-name", "goodbye", "muted", "locked-now", "digits/7", "digits/mon-11"}) {
    for (Language l : kBoth) {
      auto s = catalog.source(key, l);
      ASSERT_TRUE(s.ok());
      EXPECT_EQ(*s, PromptSource::kRecording) << key << " " << domain::to_string(l);
    }
  }
  auto pin = files_of(catalog, "enter-pin", Language::kFrench);
  ASSERT_EQ(pin.size(), 1u);
  EXPECT_NE(pin[0].find("/fr"), std::string::npos) << pin[0];
  EXPECT_TRUE(pin[0].ends_with("/conf-getpin.wav"));
  EXPECT_EQ(stats.calls, 0);
}

// A misspelt recording name would silently fall back to speech: every name in the table must exist, except
// the few pieces one of Debian's sets lacks (notes/prompts.md: the sets differ by 9 files).
TEST(PromptCatalog, EveryRecordingTheTableNamesIsInstalled) {
  const std::set<std::string> known_missing = {"fr:digits/1F", "fr:digits/billion", "en:digits/et",
                                               "fr:digits/oh"};
  const fs::path sounds = kDebianSounds;
  for (auto list : {sentence_prompts(), word_prompts()}) {
    for (const auto& e : list) {
      for (auto [lang, folder, names] : {std::tuple{"en", "en_US_f_Allison", e.recording_en},
                                         std::tuple{"fr", "fr_CA_f_June", e.recording_fr}}) {
        std::istringstream words{std::string(names)};
        for (std::string name; words >> name;) {
          const bool exists = fs::exists(sounds / folder / (name + ".wav"));
          EXPECT_EQ(exists, !known_missing.count(std::string(lang) + ":" + name)) << lang << " " << name;
        }
      }
    }
  }
}

TEST(PromptCatalog, PiecesMissingFromOneLanguageAreGeneratedThere) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  // Debian's French set has digits/et but no digits/billion; English the other way round.
  EXPECT_EQ(*catalog.source("digits/et", Language::kFrench), PromptSource::kRecording);
  EXPECT_EQ(*catalog.source("digits/billion", Language::kFrench), PromptSource::kGenerated);
  EXPECT_EQ(*catalog.source("digits/billion", Language::kEnglish), PromptSource::kRecording);
  EXPECT_EQ(*catalog.source("digits/1F", Language::kFrench), PromptSource::kGenerated);  // "une"
  EXPECT_EQ(*catalog.source("main-menu", Language::kEnglish), PromptSource::kGenerated);
  EXPECT_EQ(*catalog.text("digits/1F", Language::kFrench), "une");
}

TEST(PromptCatalog, TheOperatorsOverrideWins) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  fs::create_directories(options.overrides_dir / "fr" / "digits");
  const fs::path pin = options.overrides_dir / "fr" / "enter-pin.wav";
  const fs::path seven = options.overrides_dir / "fr" / "digits" / "7.wav";
  const fs::path menu = options.overrides_dir / "fr" / "main-menu.wav";
  for (const auto& p : {pin, seven, menu}) FakeSpeechSynthesizer::write_silent_wav(p, 80);
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));

  EXPECT_EQ(files_of(catalog, "enter-pin", Language::kFrench), std::vector<std::string>{pin.string()});
  EXPECT_EQ(files_of(catalog, "digits/7", Language::kFrench), std::vector<std::string>{seven.string()});
  EXPECT_EQ(files_of(catalog, "main-menu", Language::kFrench), std::vector<std::string>{menu.string()});
  EXPECT_EQ(*catalog.source("main-menu", Language::kFrench), PromptSource::kOverride);
  // Only that language is overridden.
  EXPECT_EQ(*catalog.source("enter-pin", Language::kEnglish), PromptSource::kRecording);
  EXPECT_EQ(stats.calls, 0);
}

TEST(PromptCatalog, AnOverrideDroppedInWhileRunningTakesEffectAtOnce) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  EXPECT_EQ(*catalog.source("goodbye", Language::kEnglish), PromptSource::kRecording);
  fs::create_directories(options.overrides_dir / "en");
  FakeSpeechSynthesizer::write_silent_wav(options.overrides_dir / "en" / "goodbye.wav", 80);
  EXPECT_EQ(*catalog.source("goodbye", Language::kEnglish), PromptSource::kOverride);
}

TEST(PromptCatalog, UnknownKeysAreNotFoundAndNeverTouchTheFileSystem) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  for (const char* key : {"no-such-prompt", "../../etc/passwd", "", "digits/../goodbye"}) {
    auto r = catalog.files(key, Language::kEnglish);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  }
  EXPECT_EQ(stats.calls, 0);
}

TEST(PromptCatalog, GeneratedSpeechIsMadeOnceAndReused) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  auto first = files_of(catalog, "main-menu", Language::kFrench);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(stats.calls, 1);
  const auto mtime = fs::last_write_time(first[0]);
  auto second = files_of(catalog, "main-menu", Language::kFrench);
  EXPECT_EQ(second, first);
  EXPECT_EQ(stats.calls, 1);
  EXPECT_EQ(fs::last_write_time(first[0]), mtime);

  // A new catalog (a restart) finds the cached file too.
  PromptCatalog restarted(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  EXPECT_EQ(files_of(restarted, "main-menu", Language::kFrench), first);
  EXPECT_EQ(stats.calls, 1);
}

TEST(PromptCatalog, ChangedTextOrVoiceMakesANewFileAndRemovesTheOldOne) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  options.texts["en/welcome"] = "Welcome to Acme conferencing.";
  std::string old_file;
  {
    PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
    old_file = files_of(catalog, "welcome", Language::kEnglish).at(0);
    EXPECT_EQ(*catalog.text("welcome", Language::kEnglish), "Welcome to Acme conferencing.");
  }
  options.texts["en/welcome"] = "Welcome to Acme audio conferencing.";
  std::string new_file;
  {
    PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
    new_file = files_of(catalog, "welcome", Language::kEnglish).at(0);
  }
  EXPECT_NE(new_file, old_file);
  EXPECT_TRUE(fs::exists(new_file));
  EXPECT_FALSE(fs::exists(old_file));
  EXPECT_EQ(stats.calls, 2);

  PromptCatalog other_voice(options, std::make_unique<FakeSpeechSynthesizer>(stats, "another-voice"));
  EXPECT_NE(files_of(other_voice, "welcome", Language::kEnglish).at(0), new_file);
  EXPECT_EQ(stats.calls, 3);
}

TEST(PromptCatalog, ThreadsAskingForTheSameMissingPromptAllGetTheSameCompleteFile) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) threads.emplace_back([&] { g = files_of(catalog, "help-user", Language::kEnglish); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g, got[0]);
    EXPECT_TRUE(is_wav(g[0]));
  }
  int files_in_cache = 0;
  for (const auto& e : fs::directory_iterator(fs::path(got[0][0]).parent_path())) {
    files_in_cache += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files_in_cache, 1);  // no temporary file left behind
}

TEST(PromptCatalog, PrepareAllGeneratesEveryMissingSpeechFileOnce) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  auto first = catalog.prepare_all();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_GT(first->generated, 50);
  EXPECT_GT(first->recorded, 100);
  EXPECT_EQ(first->reused, 0);
  EXPECT_EQ(stats.calls, first->generated);

  auto second = catalog.prepare_all();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->generated, 0);
  EXPECT_EQ(second->reused, first->generated);
  EXPECT_EQ(stats.calls, first->generated);

  // files() of any generated prompt now never synthesizes.
  (void)files_of(catalog, "help-moderator", Language::kFrench);
  EXPECT_EQ(stats.calls, first->generated);
}

TEST(PromptCatalog, PrepareAllNamesCustomTextsThatMatchNoPrompt) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  options.texts["en/welcome"] = "Welcome to Acme.";
  options.texts["en/welcom"] = "typo in the key";
  options.texts["de/welcome"] = "Willkommen";
  options.texts["welcome"] = "no language";
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  auto r = catalog.prepare_all();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unknown_texts, (std::vector<std::string>{"de/welcome", "en/welcom", "welcome"}));
}

TEST(PromptCatalog, DescribeListsEveryPromptWithItsSourceTextAndWhetherItIsReady) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  auto before = catalog.describe(Language::kFrench);
  ASSERT_EQ(before.size(), PromptCatalog::keys().size());
  auto find = [](const std::vector<PromptInfo>& list, const std::string& key) {
    return *std::find_if(list.begin(), list.end(), [&](const PromptInfo& p) { return p.key == key; });
  };
  EXPECT_EQ(find(before, "enter-pin").source, PromptSource::kRecording);
  EXPECT_TRUE(find(before, "enter-pin").ready);
  EXPECT_EQ(find(before, "main-menu").source, PromptSource::kGenerated);
  EXPECT_FALSE(find(before, "main-menu").ready);
  EXPECT_EQ(find(before, "main-menu").text.rfind("Pour créer une conférence", 0), 0u);
  ASSERT_TRUE(catalog.prepare_all().ok());
  EXPECT_TRUE(find(catalog.describe(Language::kFrench), "main-menu").ready);
  EXPECT_EQ(stats.calls, catalog.prepare_all()->reused);
}

TEST(PromptCatalog, AFailingSynthesizerIsAClearErrorAndLeavesNoFile) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  stats.fail = true;
  auto options = options_in(dir);
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  auto r = catalog.files("main-menu", Language::kEnglish);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("main-menu"), std::string::npos) << r.error().message;
  auto all = catalog.prepare_all();
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().message.find("could not be generated"), std::string::npos);
  // Recordings still work.
  EXPECT_TRUE(catalog.files("enter-pin", Language::kEnglish).ok());
  std::error_code ec;
  int left = 0;
  for (auto it = fs::recursive_directory_iterator(options.generated_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    left += it->is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(left, 0);
}

TEST(PromptCatalog, AnUnwritableCacheFolderIsAClearError) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  FakeSpeechSynthesizer::write_silent_wav(dir.path() / "a-file", 8);
  options.generated_dir = dir.path() / "a-file" / "generated";  // a folder cannot live inside a file
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  auto r = catalog.files("main-menu", Language::kEnglish);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("a-file"), std::string::npos) << r.error().message;
  EXPECT_EQ(stats.calls, 0);
}

TEST(PromptCatalog, LanguageFolderIsFoundByItsSymlinkNameOrItsVoiceFolder) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  options.sounds_dir = dir.path() / "sounds";
  fs::create_directories(options.sounds_dir / "en");
  fs::create_directories(options.sounds_dir / "en_US_f_Other");
  fs::create_directories(options.sounds_dir / "fr_CA_f_June");
  FakeSpeechSynthesizer::write_silent_wav(options.sounds_dir / "en" / "goodbye.wav", 80);
  FakeSpeechSynthesizer::write_silent_wav(options.sounds_dir / "en_US_f_Other" / "goodbye.wav", 80);
  FakeSpeechSynthesizer::write_silent_wav(options.sounds_dir / "fr_CA_f_June" / "goodbye.wav", 80);
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  EXPECT_EQ(files_of(catalog, "goodbye", Language::kEnglish).at(0),
            (options.sounds_dir / "en/goodbye.wav").string());
  EXPECT_EQ(files_of(catalog, "goodbye", Language::kFrench).at(0),
            (options.sounds_dir / "fr_CA_f_June/goodbye.wav").string());
}

TEST(PromptCatalog, WithoutDebianSoundsEverythingIsGenerated) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  options.sounds_dir = dir.path() / "no-sounds-here";
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  EXPECT_EQ(*catalog.source("enter-pin", Language::kEnglish), PromptSource::kGenerated);
  EXPECT_EQ(files_of(catalog, "enter-pin", Language::kEnglish).size(), 1u);
}

TEST(PromptCatalog, SequencesOfKeysConcatenate) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  auto r = catalog.files(std::vector<std::string>{"there-are", "digits/5", "other-participants"},
                         Language::kEnglish);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE(r->at(1).ends_with("/digits/5.wav"));
  auto bad = catalog.files(std::vector<std::string>{"there-are", "nope"}, Language::kEnglish);
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

TEST(PromptCatalog, MusicOnHoldListsTheWavFilesInOrder) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  auto options = options_in(dir);
  options.moh_dir = dir.path() / "moh";
  fs::create_directories(options.moh_dir);
  {
    PromptCatalog empty(options, std::make_unique<FakeSpeechSynthesizer>(stats));
    EXPECT_EQ(empty.music_on_hold_files().error().code, ErrorCode::kNotFound);
  }
  FakeSpeechSynthesizer::write_silent_wav(options.moh_dir / "b.wav", 80);
  FakeSpeechSynthesizer::write_silent_wav(options.moh_dir / "a.wav", 80);
  std::ofstream(options.moh_dir / "notes.txt") << "not music";
  PromptCatalog catalog(options, std::make_unique<FakeSpeechSynthesizer>(stats));
  auto moh = catalog.music_on_hold_files();
  ASSERT_TRUE(moh.ok());
  EXPECT_EQ(*moh, (std::vector<std::string>{(options.moh_dir / "a.wav").string(),
                                            (options.moh_dir / "b.wav").string()}));
}

TEST(PromptCatalog, DebianMusicOnHoldIsFound) {
  TempDir dir;
  PromptCatalog catalog(options_in(dir));
  auto moh = catalog.music_on_hold_files();
  ASSERT_TRUE(moh.ok()) << moh.error().message;
  EXPECT_GE(moh->size(), 1u);
}

}  // namespace
}  // namespace confpro::ivr

namespace confpro::ivr {
namespace {

TEST(PromptCatalog, SpeaksAnyTextOnceAndKeepsEachTextsFile) {
  TempDir dir;
  FakeSpeechSynthesizer::Stats stats;
  PromptCatalog catalog(options_in(dir), std::make_unique<FakeSpeechSynthesizer>(stats));
  auto a = catalog.speak("You are invited to Weekly sync by Alice.", Language::kEnglish);
  auto b = catalog.speak("Vous êtes invité à Point hebdo par Alice.", Language::kFrench);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(is_wav(*a));
  EXPECT_TRUE(is_wav(*b));
  EXPECT_NE(*a, *b);
  EXPECT_EQ(stats.calls, 2);
  auto again = catalog.speak("You are invited to Weekly sync by Alice.", Language::kEnglish);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);
  EXPECT_EQ(stats.calls, 2) << "cached";
  auto other = catalog.speak("You are invited to Board by Bob.", Language::kEnglish);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(fs::exists(*a)) << "another text's file is not a stale version of this one";
  stats.fail = true;
  EXPECT_FALSE(catalog.speak("Something new", Language::kEnglish).ok());
}

}  // namespace
}  // namespace confpro::ivr
