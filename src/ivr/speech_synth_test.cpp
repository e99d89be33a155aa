// The espeak-ng adapter against the real programs (Debian packages espeak-ng and sox).
#include "ivr/speech_synth.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <fstream>
#include <vector>

#include "ivr/prompt_catalog.h"

namespace confpro::ivr {
namespace {

namespace fs = std::filesystem;
using domain::Language;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "confpro-speech-XXXXXX").string();
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

struct WavFormat {
  std::uint16_t channels = 0;
  std::uint32_t rate = 0;
  std::uint16_t bits = 0;
  std::uint32_t data_bytes = 0;
};

// Reads the fmt and data chunk headers of a RIFF/WAVE file.
WavFormat read_wav_format(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  auto u32 = [&] {
    unsigned char b[4] = {};
    f.read(reinterpret_cast<char*>(b), 4);
    return static_cast<std::uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16) |
                                      (static_cast<std::uint32_t>(b[3]) << 24));
  };
  auto u16 = [&] {
    unsigned char b[2] = {};
    f.read(reinterpret_cast<char*>(b), 2);
    return static_cast<std::uint16_t>(b[0] | (b[1] << 8));
  };
  WavFormat w;
  char id[4];
  f.read(id, 4);
  if (std::string(id, 4) != "RIFF") return w;
  u32();
  f.read(id, 4);
  if (std::string(id, 4) != "WAVE") return w;
  while (f.read(id, 4)) {
    const std::uint32_t size = u32();
    const std::string chunk(id, 4);
    if (chunk == "fmt ") {
      u16();
      w.channels = u16();
      w.rate = u32();
      u32();
      u16();
      w.bits = u16();
      f.seekg(size - 16, std::ios::cur);
    } else if (chunk == "data") {
      w.data_bytes = size;
      break;
    } else {
      f.seekg(size + (size & 1), std::ios::cur);
    }
  }
  return w;
}

TEST(EspeakSynthesizer, WritesSixteenBitMonoWavAtTheTelephoneRate) {
  TempDir dir;
  auto synth = make_espeak_synthesizer({});
  for (Language l : {Language::kFrench, Language::kEnglish}) {
    const fs::path out = dir.path() / (std::string(domain::to_string(l)) + ".wav");
    auto r = synth->synthesize(l == Language::kFrench ? "Bonjour." : "Hello.", l, out);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto w = read_wav_format(out);
    EXPECT_EQ(w.channels, 1);
    EXPECT_EQ(w.rate, 8000u);
    EXPECT_EQ(w.bits, 16);
    EXPECT_GT(w.data_bytes, 1600u);  // more than 0.1 s of speech
  }
  // Only the output is left behind: no text or intermediate files.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

// Seconds of near-silence at the start and at the end of a 16-bit mono WAV (44-byte header, as sox writes).
std::pair<double, double> silent_edges(const fs::path& p, std::uint32_t rate) {
  std::ifstream f(p, std::ios::binary);
  f.seekg(44);
  std::vector<std::int16_t> samples;
  std::int16_t s = 0;
  while (f.read(reinterpret_cast<char*>(&s), 2)) samples.push_back(s);
  auto loud = [](std::int16_t x) { return x > 300 || x < -300; };
  std::size_t first = 0;
  while (first < samples.size() && !loud(samples[first])) ++first;
  std::size_t last = samples.size();
  while (last > first && !loud(samples[last - 1])) --last;
  return {static_cast<double>(first) / rate, static_cast<double>(samples.size() - last) / rate};
}

TEST(EspeakSynthesizer, SilenceAtBothEndsIsShortLikeTheRecordings) {
  TempDir dir;
  auto synth = make_espeak_synthesizer({});
  const fs::path out = dir.path() / "une.wav";
  ASSERT_TRUE(synth->synthesize("une", Language::kFrench, out).ok());
  auto [lead, tail] = silent_edges(out, 8000);
  EXPECT_GE(lead, 0.03);
  EXPECT_LT(lead, 0.15);
  EXPECT_GE(tail, 0.05);
  EXPECT_LT(tail, 0.2);
}

TEST(EspeakSynthesizer, WithoutSoxKeepsEspeaksOwnRate) {
  TempDir dir;
  SpeechOptions o;
  o.sox_path = "";
  auto synth = make_espeak_synthesizer(o);
  const fs::path out = dir.path() / "x.wav";
  ASSERT_TRUE(synth->synthesize("Hello.", Language::kEnglish, out).ok());
  EXPECT_EQ(read_wav_format(out).rate, 22050u);
}

TEST(EspeakSynthesizer, TextThatLooksLikeOptionsOrShellIsOnlySpoken) {
  TempDir dir;
  auto synth = make_espeak_synthesizer({});
  const fs::path trap = dir.path() / "pwned";
  const std::string text =
      "-w " + trap.string() + " $(touch " + trap.string() + "); `touch " + trap.string() + "`";
  const fs::path out = dir.path() / "x.wav";
  auto r = synth->synthesize(text, Language::kEnglish, out);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(fs::exists(trap));
  EXPECT_GT(read_wav_format(out).data_bytes, 0u);
}

TEST(EspeakSynthesizer, AWrongProgramPathIsAClearError) {
  TempDir dir;
  SpeechOptions o;
  o.espeak_path = "/nonexistent/espeak-ng";
  auto synth = make_espeak_synthesizer(o);
  auto r = synth->synthesize("Hello.", Language::kEnglish, dir.path() / "x.wav");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("/nonexistent/espeak-ng"), std::string::npos) << r.error().message;
}

TEST(EspeakSynthesizer, AnUnknownVoiceReportsWhatEspeakSaid) {
  TempDir dir;
  SpeechOptions o;
  o.voice_fr = "xx-no-such-voice";
  auto synth = make_espeak_synthesizer(o);
  auto r = synth->synthesize("Bonjour.", Language::kFrench, dir.path() / "x.wav");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("voice"), std::string::npos) << r.error().message;
}

TEST(EspeakSynthesizer, AMissingSoxIsAClearError) {
  TempDir dir;
  SpeechOptions o;
  o.sox_path = "/nonexistent/sox";
  auto synth = make_espeak_synthesizer(o);
  auto r = synth->synthesize("Hello.", Language::kEnglish, dir.path() / "x.wav");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/sox"), std::string::npos) << r.error().message;
}

TEST(EspeakSynthesizer, FingerprintChangesWithVoiceSpeedAndRate) {
  SpeechOptions a;
  SpeechOptions b = a;
  b.words_per_minute = 130;
  SpeechOptions c = a;
  c.sample_rate_hz = 16000;
  const auto fa = make_espeak_synthesizer(a)->fingerprint(Language::kFrench);
  EXPECT_NE(fa, make_espeak_synthesizer(b)->fingerprint(Language::kFrench));
  EXPECT_NE(fa, make_espeak_synthesizer(c)->fingerprint(Language::kFrench));
  EXPECT_NE(fa, make_espeak_synthesizer(a)->fingerprint(Language::kEnglish));
}

PromptCatalog::Options catalog_options(const TempDir& dir) {
  PromptCatalog::Options o;
  o.generated_dir = dir.path() / "generated";
  o.overrides_dir = dir.path() / "overrides";
  return o;
}

TEST(PromptCatalogWithEspeak, GeneratesOnceThenReusesWithTheSameMtime) {
  TempDir dir;
  auto options = catalog_options(dir);
  PromptCatalog catalog(options);
  auto first = catalog.files("main-menu", domain::Language::kFrench);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const fs::path file = first->at(0);
  const auto mtime = fs::last_write_time(file);
  EXPECT_EQ(read_wav_format(file).rate, 8000u);
  auto second = catalog.files("main-menu", domain::Language::kFrench);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(fs::last_write_time(file), mtime);

  options.texts["fr/main-menu"] = "Pour créer une conférence, tapez 1. Pour la rejoindre, tapez 2.";
  PromptCatalog changed(options);
  auto third = changed.files("main-menu", domain::Language::kFrench);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->at(0), file.string());
  EXPECT_TRUE(fs::exists(third->at(0)));
  EXPECT_FALSE(fs::exists(file));  // the stale file is gone
}

TEST(PromptCatalogWithEspeak, ABadEspeakPathIsAClearErrorNotACrash) {
  TempDir dir;
  auto options = catalog_options(dir);
  options.speech.espeak_path = "/nonexistent/espeak-ng";
  PromptCatalog catalog(options);
  auto r = catalog.files("main-menu", domain::Language::kEnglish);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("/nonexistent/espeak-ng"), std::string::npos) << r.error().message;
  auto all = catalog.prepare_all();
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().message.find("/nonexistent/espeak-ng"), std::string::npos) << all.error().message;
}

TEST(PromptCatalogWithEspeak, PrepareAllSpeaksEveryMissingPromptInBothLanguages) {
  TempDir dir;
  PromptCatalog catalog(catalog_options(dir));
  auto first = catalog.prepare_all();
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::cout << "[ timing ] first prepare_all: " << first->generated << " speech files in "
            << first->took.count() << " ms (" << first->recorded << " recordings)\n";
  auto second = catalog.prepare_all();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->generated, 0);
  EXPECT_EQ(second->reused, first->generated);
  std::cout << "[ timing ] second prepare_all: " << second->took.count() << " ms\n";
}

}  // namespace
}  // namespace confpro::ivr
