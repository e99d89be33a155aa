#include "media/audio_file.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "media/tone.h"

namespace confpro::media {
namespace {

namespace fs = std::filesystem;

// A directory of this test's own (tests run in parallel processes).
class AudioFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("confpro_audio_file_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string debian_prompt(const std::string& name) {
  for (const char* dir : {"/usr/share/asterisk/sounds/en", "/usr/share/asterisk/sounds/en_US_f_Allison"}) {
    fs::path p = fs::path(dir) / (name + ".wav");
    if (fs::exists(p)) return p.string();
  }
  return {};
}

TEST_F(AudioFileTest, ReadsARealDebianPromptAtSixteenKilohertz) {
  const auto path = debian_prompt("conf-getpin");
  if (path.empty()) GTEST_SKIP() << "asterisk-core-sounds-en-wav is not installed";
  auto at8 = read_audio_file(path, 8000);
  ASSERT_TRUE(at8.ok()) << at8.error().message;
  auto at16 = read_audio_file(path, 16000);
  ASSERT_TRUE(at16.ok()) << at16.error().message;
  EXPECT_EQ(at16->sample_rate, 16000);
  EXPECT_GT(at8->duration_seconds(), 1.0);  // "Please enter the conference pin number"
  EXPECT_NEAR(at16->duration_seconds(), at8->duration_seconds(), 0.01);
  EXPECT_GT(total_power(at16->samples), 1e4) << "speech, not silence";
  // The 16 kHz copy carries the same speech: their levels agree within 1 dB.
  EXPECT_NEAR(10 * std::log10(total_power(at16->samples) / total_power(at8->samples)), 0.0, 1.0);
}

TEST_F(AudioFileTest, StereoFileOfAnotherRateIsMixedToMonoAndResampled) {
  const auto path = (dir_ / "stereo.wav").string();
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  auto left = make_tone(1000, 8000, 44100, 0.5);
  std::vector<float> frames(left.size() * 2);
  for (std::size_t i = 0; i < left.size(); ++i) frames[2 * i] = frames[2 * i + 1] = static_cast<float>(left[i]) / 32768.0f;
  sf_writef_float(f, frames.data(), static_cast<sf_count_t>(left.size()));
  sf_close(f);
  auto pcm = read_audio_file(path, 16000);
  ASSERT_TRUE(pcm.ok()) << pcm.error().message;
  EXPECT_NEAR(pcm->duration_seconds(), 0.5, 0.01);
  EXPECT_GT(tone_fraction(std::span(pcm->samples).subspan(800), 1000, 16000), 0.95);
}

TEST_F(AudioFileTest, MissingAndGarbageFilesAreErrors) {
  auto missing = read_audio_file((dir_ / "nope.wav").string(), 8000);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto junk = dir_ / "junk.wav";
  std::ofstream(junk) << "this is not a RIFF file at all";
  auto garbage = read_audio_file(junk.string(), 8000);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(read_audio_file(junk.string(), 1000).ok());
}

TEST_F(AudioFileTest, PromptCacheSharesOneDecodedCopyPerPathAndRate) {
  const auto path = (dir_ / "beep.wav").string();
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  auto tone = make_tone(1000, 8000, 8000, 0.2);
  sf_write_short(f, tone.data(), static_cast<sf_count_t>(tone.size()));
  sf_close(f);

  PromptCache cache;
  std::vector<PcmPtr> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = cache.load(path, 16000).value(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& p : got) EXPECT_EQ(p, got[0]) << "one shared copy";
  EXPECT_EQ(cache.size(), 1u);
  auto at8 = cache.load(path, 8000);
  ASSERT_TRUE(at8.ok());
  EXPECT_NE(*at8, got[0]);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.load((dir_ / "missing.wav").string(), 8000).ok());
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace confpro::media
