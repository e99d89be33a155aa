// say_* through a real catalog: the grammar's keys become Debian's recordings or generated speech.
#include "ivr/say.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "common/timezone.h"
#include "ivr/speech_synth_fake.h"

namespace confpro::ivr {
namespace {

namespace fs = std::filesystem;
using domain::Language;

class SayWithCatalog : public ::testing::Test {
 protected:
  SayWithCatalog() {
    std::string pattern = (fs::temp_directory_path() / "confpro-say-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp";
    dir_ = pattern;
    PromptCatalog::Options o;
    o.generated_dir = dir_ / "generated";
    catalog_ = std::make_unique<PromptCatalog>(o, std::make_unique<FakeSpeechSynthesizer>(stats_));
  }
  ~SayWithCatalog() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The last two path components: "digits/4.wav".
  static std::vector<std::string> tails(const std::vector<std::string>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) {
      fs::path p(f);
      out.push_back(p.parent_path().filename().string() + "/" + p.filename().string());
    }
    return out;
  }

  fs::path dir_;
  FakeSpeechSynthesizer::Stats stats_;
  std::unique_ptr<PromptCatalog> catalog_;
};

TEST_F(SayWithCatalog, DigitsAreDebiansDigitRecordings) {
  for (Language l : {Language::kFrench, Language::kEnglish}) {
    auto r = say_digits(*catalog_, "482913", l);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(tails(*r), (std::vector<std::string>{"digits/4.wav", "digits/8.wav", "digits/2.wav",
                                                   "digits/9.wav", "digits/1.wav", "digits/3.wav"}));
    for (const auto& f : *r) EXPECT_TRUE(fs::exists(f)) << f;
  }
  EXPECT_EQ(stats_.calls, 0);
  EXPECT_EQ(say_digits(*catalog_, "48x", Language::kFrench).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SayWithCatalog, FrenchSeventyOneUsesSoixanteEtOnze) {
  auto r = say_number(*catalog_, 71, Language::kFrench);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(tails(*r), (std::vector<std::string>{"digits/60.wav", "digits/et.wav", "digits/11.wav"}));
  EXPECT_NE(r->at(0).find("/fr"), std::string::npos);
}

TEST_F(SayWithCatalog, FrenchFeminineOneComesFromGeneratedSpeech) {
  auto r = say_duration_minutes(*catalog_, 90, Language::kFrench);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_NE(r->at(0).find("generated"), std::string::npos) << r->at(0);  // "une"
  EXPECT_TRUE(r->at(1).ends_with("digits/oclock.wav")) << r->at(1);      // "heure"
  EXPECT_TRUE(r->at(2).ends_with("digits/30.wav"));
  EXPECT_EQ(stats_.calls, 1);
}

TEST_F(SayWithCatalog, DateInParisBecomesRecordings) {
  auto t = parse_iso_time("2026-12-01T08:30:00Z");
  ASSERT_TRUE(t.ok());
  auto en = say_date(*catalog_, *t, "Europe/Paris", Language::kEnglish);
  ASSERT_TRUE(en.ok()) << en.error().message;
  EXPECT_EQ(tails(*en).front(), "digits/day-2.wav");
  EXPECT_EQ(tails(*en).back(), "digits/a-m.wav");
  auto fr = say_date(*catalog_, *t, "Europe/Paris", Language::kFrench, DateParts{true, false, false});
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(tails(*fr),
            (std::vector<std::string>{"digits/day-2.wav", "digits/h-1.wav", "digits/mon-11.wav"}));
  EXPECT_EQ(stats_.calls, 0);
  EXPECT_EQ(say_date(*catalog_, *t, "Nowhere/Void", Language::kFrench).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(SayWithCatalog, ASentenceIsAConcatenation) {
  // "Your conference number is 4 8 2, valid until …, for up to 10 participants."
  std::vector<std::string> all;
  auto add = [&](Result<std::vector<std::string>> part) {
    ASSERT_TRUE(part.ok()) << part.error().message;
    all.insert(all.end(), part->begin(), part->end());
  };
  add(catalog_->files("your-conference-number-is", Language::kEnglish));
  add(say_digits(*catalog_, "482", Language::kEnglish));
  add(catalog_->files("valid-until", Language::kEnglish));
  add(say_date(*catalog_, *parse_iso_time("2026-12-01T08:30:00Z"), "Europe/Paris", Language::kEnglish));
  add(catalog_->files("for-up-to", Language::kEnglish));
  add(say_number(*catalog_, 10, Language::kEnglish));
  add(catalog_->files("participants", Language::kEnglish));
  EXPECT_EQ(all.size(), 1u + 3 + 1 + 10 + 1 + 1 + 1);
  for (const auto& f : all) EXPECT_TRUE(fs::exists(f)) << f;
}

}  // namespace
}  // namespace confpro::ivr
