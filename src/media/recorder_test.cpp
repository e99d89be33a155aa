#include "media/recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "media/audio_file.h"
#include "media/tone.h"

namespace confpro::media {
namespace {

namespace fs = std::filesystem;

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("confpro_recorder_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Writes `seconds` of a 1 kHz tone in 20 ms frames, then finishes and waits for on_done.
void record_tone(Recorder& r, int rate, double seconds) {
  ToneGenerator gen(1000, 8000, rate);
  std::vector<std::int16_t> frame(static_cast<std::size_t>(rate / 50));
  for (int i = 0; i < static_cast<int>(seconds * 50); ++i) {
    gen.fill(frame);
    r.write(frame);
  }
}

TEST_F(RecorderTest, WavThatLibsndfileReadsBackWithTheTone) {
  const auto path = (dir_ / "room.wav").string();
  std::atomic<int> done{0};
  std::atomic<bool> ok{false};
  auto r = Recorder::open(path, {.sample_rate = 16000, .on_done = [&](bool good, const std::string&) {
                                   ok = good;
                                   ++done;
                                 }});
  ASSERT_TRUE(r.ok()) << r.error().message;
  record_tone(**r, 16000, 2.5);  // 2 full blocks and a partial one
  EXPECT_EQ((*r)->samples_written(), 40000);
  r->reset();  // finish + join
  EXPECT_EQ(done.load(), 1);
  EXPECT_TRUE(ok.load());
  auto back = read_audio_file(path, 16000);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->samples.size(), 40000u);
  EXPECT_GT(tone_fraction(back->samples, 1000, 16000), 0.95);
}

TEST_F(RecorderTest, OggOpusThatLibsndfileReadsBackWithTheTone) {
  const auto path = (dir_ / "room.ogg").string();
  auto r = Recorder::open(path, {.sample_rate = 48000});
  ASSERT_TRUE(r.ok()) << r.error().message;
  record_tone(**r, 48000, 2.0);
  (*r)->finish();
  r->reset();
  auto back = read_audio_file(path, 48000);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_NEAR(back->duration_seconds(), 2.0, 0.1);
  EXPECT_GT(tone_fraction(std::span(back->samples).subspan(4800), 1000, 48000), 0.9);
  EXPECT_LT(fs::file_size(path), 2u * 48000 * 2 / 4) << "compressed";
}

TEST_F(RecorderTest, StopsTakingAudioAtMaxMs) {
  const auto path = (dir_ / "name.wav").string();
  auto r = Recorder::open(path, {.sample_rate = 8000, .max_ms = 3000});
  ASSERT_TRUE(r.ok());
  std::vector<std::int16_t> frame(160, 100);
  int accepted = 0;
  for (int i = 0; i < 500; ++i) accepted += (*r)->write(frame) ? 1 : 0;
  EXPECT_TRUE((*r)->full());
  EXPECT_EQ(accepted, 149);  // the 150th frame reaches the limit and returns false
  EXPECT_EQ((*r)->samples_written(), 24000);
  r->reset();
  auto back = read_audio_file(path, 8000);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->samples.size(), 24000u);
}

TEST_F(RecorderTest, RefusesUnknownFormatsMissingDirectoriesAndBadOpusRates) {
  EXPECT_EQ(Recorder::open((dir_ / "x.mp3").string(), {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(Recorder::open((dir_ / "nodir" / "x.wav").string(), {}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Recorder::open((dir_ / "x.ogg").string(), {.sample_rate = 44100}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(RecorderTest, FinishIsIdempotentAndWritesAfterItAreRefused) {
  auto r = Recorder::open((dir_ / "x.wav").string(), {.sample_rate = 8000});
  ASSERT_TRUE(r.ok());
  std::vector<std::int16_t> frame(160, 5);
  EXPECT_TRUE((*r)->write(frame));
  (*r)->finish();
  (*r)->finish();
  EXPECT_FALSE((*r)->write(frame));
  EXPECT_EQ((*r)->samples_written(), 160);
}

}  // namespace
}  // namespace confpro::media
