#include <gtest/gtest.h>

#include "ivr/prompt_table.h"
#include "ivr/say.h"

namespace confpro::ivr {
namespace {

using domain::Language;
using Keys = std::vector<std::string>;

// "20 et 1" → {"digits/20", "digits/et", "digits/1"}: expectations read like the spoken words.
Keys words(std::initializer_list<const char*> ws) {
  Keys out;
  for (const char* w : ws) out.push_back(std::string("digits/") + w);
  return out;
}

Keys say(std::int64_t n, Language l, Gender g = Gender::kMasculine) {
  auto r = number_keys(n, l, g);
  EXPECT_TRUE(r.ok()) << n;
  return r.ok() ? *r : Keys{};
}

struct Case {
  std::int64_t n;
  Keys english;
  Keys french;
};

const Case kCases[] = {
    {0, words({"0"}), words({"0"})},
    {1, words({"1"}), words({"1"})},
    {7, words({"7"}), words({"7"})},
    {11, words({"11"}), words({"11"})},
    {16, words({"16"}), words({"16"})},
    {17, words({"17"}), words({"17"})},                   // dix-sept is recorded whole
    {21, words({"20", "1"}), words({"20", "et", "1"})},   // vingt et un
    {22, words({"20", "2"}), words({"20", "2"})},         // vingt-deux
    {70, words({"70"}), words({"70"})},                   // soixante-dix
    {71, words({"70", "1"}), words({"60", "et", "11"})},  // soixante et onze
    {77, words({"70", "7"}), words({"60", "17"})},        // soixante-dix-sept
    {80, words({"80"}), words({"80"})},                   // quatre-vingts
    {81, words({"80", "1"}), words({"80", "1"})},         // quatre-vingt-un, no "et"
    {91, words({"90", "1"}), words({"80", "11"})},        // quatre-vingt-onze
    {97, words({"90", "7"}), words({"80", "17"})},        // quatre-vingt-dix-sept
    {99, words({"90", "9"}), words({"80", "19"})},        // quatre-vingt-dix-neuf
    {100, words({"1", "hundred"}), words({"hundred"})},   // cent, never "un cent"
    {101, words({"1", "hundred", "1"}), words({"hundred", "1"})},
    {105, words({"1", "hundred", "5"}), words({"hundred", "5"})},
    {200, words({"2", "hundred"}), words({"2", "hundred"})},     // deux cents
    {1000, words({"1", "thousand"}), words({"thousand"})},       // mille, never "un mille"
    {2000, words({"2", "thousand"}), words({"2", "thousand"})},  // deux mille
    {2026, words({"2", "thousand", "20", "6"}), words({"2", "thousand", "20", "6"})},
    {1971, words({"1", "thousand", "9", "hundred", "70", "1"}),
     words({"thousand", "9", "hundred", "60", "et", "11"})},
    {80000, words({"80", "thousand"}), words({"80", "thousand"})},
    {1'000'000, words({"1", "million"}), words({"1", "million"})},
    {2'500'000'000, words({"2", "billion", "5", "hundred", "million"}),
     words({"2", "billion", "5", "hundred", "million"})},
};

TEST(SayNumber, EnglishAndFrenchGrammarForEachCase) {
  for (const auto& c : kCases) {
    EXPECT_EQ(say(c.n, Language::kEnglish), c.english) << c.n << " in English";
    EXPECT_EQ(say(c.n, Language::kFrench), c.french) << c.n << " in French";
  }
}

TEST(SayNumber, FrenchFeminineOneAgreesWithTheNoun) {
  EXPECT_EQ(say(1, Language::kFrench, Gender::kFeminine), words({"1F"}));               // une
  EXPECT_EQ(say(21, Language::kFrench, Gender::kFeminine), words({"20", "et", "1F"}));  // vingt et une
  EXPECT_EQ(say(81, Language::kFrench, Gender::kFeminine), words({"80", "1F"}));        // quatre-vingt-une
  EXPECT_EQ(say(11, Language::kFrench, Gender::kFeminine), words({"11"}));              // onze: no agreement
  EXPECT_EQ(say(21, Language::kEnglish, Gender::kFeminine), words({"20", "1"}));        // English ignores it
}

TEST(SayNumber, ThousandsAndMillionsStayMasculineInFrench) {
  // vingt et un mille personnes: the multiplier does not take the noun's gender here.
  EXPECT_EQ(say(21'000, Language::kFrench, Gender::kFeminine), words({"20", "et", "1", "thousand"}));
}

TEST(SayNumber, NegativeNumbersStartWithMinus) {
  EXPECT_EQ(say(-21, Language::kEnglish), words({"minus", "20", "1"}));
  EXPECT_EQ(say(-21, Language::kFrench), words({"minus", "20", "et", "1"}));
}

TEST(SayNumber, NumbersBeyondTheLimitAreRejected) {
  EXPECT_TRUE(number_keys(kLargestSayableNumber, Language::kFrench).ok());
  auto r = number_keys(kLargestSayableNumber + 1, Language::kEnglish);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(number_keys(INT64_MIN, Language::kFrench).ok());
}

TEST(SayDigits, OneRecordingPerDigitIncludingStarAndPound) {
  auto r = digit_keys("482913");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, words({"4", "8", "2", "9", "1", "3"}));
  EXPECT_EQ(*digit_keys("0*#"), words({"0", "star", "pound"}));
}

TEST(SayDigits, AnythingButDigitsStarAndPoundIsRejected) {
  EXPECT_EQ(digit_keys("12a4").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(digit_keys("").error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(digit_keys("1 2").ok());
}

TEST(SayDuration, EnglishNamesHoursAndMinutes) {
  EXPECT_EQ(*duration_keys(90, Language::kEnglish), (Keys{"digits/1", "hour", "digits/30", "minutes"}));
  EXPECT_EQ(*duration_keys(120, Language::kEnglish), (Keys{"digits/2", "hours"}));
  EXPECT_EQ(*duration_keys(1, Language::kEnglish), (Keys{"digits/1", "minute"}));
  EXPECT_EQ(*duration_keys(45, Language::kEnglish), (Keys{"digits/40", "digits/5", "minutes"}));
  EXPECT_EQ(*duration_keys(0, Language::kEnglish), (Keys{"digits/0", "minutes"}));
  EXPECT_EQ(*duration_keys(61, Language::kEnglish), (Keys{"digits/1", "hour", "digits/1", "minute"}));
}

TEST(SayDuration, FrenchSaysUneHeureTrenteWithFeminineOne) {
  EXPECT_EQ(*duration_keys(90, Language::kFrench), (Keys{"digits/1F", "hour", "digits/30"}));
  EXPECT_EQ(*duration_keys(120, Language::kFrench), (Keys{"digits/2", "hours"}));
  EXPECT_EQ(*duration_keys(1, Language::kFrench), (Keys{"digits/1F", "minute"}));
  EXPECT_EQ(*duration_keys(21, Language::kFrench), (Keys{"digits/20", "digits/et", "digits/1F", "minutes"}));
  EXPECT_EQ(*duration_keys(1261, Language::kFrench),  // 21 h 01: vingt et une heures une
            (Keys{"digits/20", "digits/et", "digits/1F", "hours", "digits/1F"}));
}

TEST(SayDuration, NegativeDurationIsRejected) {
  EXPECT_EQ(duration_keys(-5, Language::kFrench).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confpro::ivr

namespace confpro::ivr {
namespace {

// The grammar must never ask for a word the catalog cannot play.
TEST(SayGrammar, EveryKeyItProducesIsInTheCatalog) {
  auto check = [](const std::vector<std::string>& keys, const std::string& what) {
    for (const auto& k : keys) ASSERT_NE(find_prompt(k), nullptr) << k << " in " << what;
  };
  for (Language l : {Language::kFrench, Language::kEnglish}) {
    for (std::int64_t n = -3; n <= 2100; ++n) {
      for (Gender g : {Gender::kMasculine, Gender::kFeminine})
        check(*number_keys(n, l, g), std::to_string(n));
    }
    const std::int64_t large[] = {10'000, 71'000, 999'999, 1'000'001, 81'000'000'000, kLargestSayableNumber};
    for (std::int64_t n : large) {
      check(*number_keys(n, l), std::to_string(n));
    }
    for (int minutes = 0; minutes <= 24 * 60; ++minutes) check(*duration_keys(minutes, l), "duration");
    LocalDateTime d;
    for (unsigned month = 1; month <= 12; ++month) {
      for (unsigned day = 1; day <= 31; ++day) {
        for (unsigned hour = 0; hour < 24; ++hour) {
          for (unsigned minute : {0u, 1u, 5u, 10u, 21u, 31u, 59u}) {
            d = {1999 + static_cast<int>(day), month, day, day % 7, hour, minute};
            check(date_keys(d, l), "date");
          }
        }
      }
    }
  }
  check(*digit_keys("0123456789*#"), "digits");
}

}  // namespace
}  // namespace confpro::ivr
