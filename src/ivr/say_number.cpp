// Number grammar per language. The recordings are Debian's digits/0..20, tens, hundred, thousand, million
// (billion in English only; the catalog generates the French "milliard"), and French "et".
#include <string>

#include "ivr/say.h"

namespace confpro::ivr {

using domain::Language;

namespace {

using Keys = std::vector<std::string>;

std::string digit(std::int64_t n) {
  return "digits/" + std::to_string(n);
}

// ---- English: 21 = twenty one; 105 = one hundred five; 2026 = two thousand twenty six.

void english_below_100(std::int64_t n, Keys& out) {
  if (n <= 20) {
    out.push_back(digit(n));
    return;
  }
  out.push_back(digit(n / 10 * 10));
  if (n % 10 != 0) out.push_back(digit(n % 10));
}

void english_below_1000(std::int64_t n, Keys& out) {
  if (n >= 100) {
    out.push_back(digit(n / 100));
    out.push_back("digits/hundred");
  }
  if (n % 100 != 0) english_below_100(n % 100, out);
}

void english(std::int64_t n, Keys& out) {
  static constexpr struct {
    std::int64_t size;
    const char* key;
  } kGroups[] = {
      {1'000'000'000, "digits/billion"}, {1'000'000, "digits/million"}, {1'000, "digits/thousand"}};
  for (const auto& g : kGroups) {
    if (n >= g.size) {
      english_below_1000(n / g.size, out);
      out.emplace_back(g.key);
      n %= g.size;
    }
  }
  if (n != 0) english_below_1000(n, out);
}

// ---- French: 21 = vingt et un; 71 = soixante et onze; 80 = quatre-vingts; 81 = quatre-vingt-un;
// 91 = quatre-vingt-onze; 100 = cent; 200 = deux cents; 1000 = mille; 2026 = deux mille vingt-six.

std::string french_one(Gender g) {
  return g == Gender::kFeminine ? "digits/1F" : "digits/1";
}

void french_below_100(std::int64_t n, Gender g, Keys& out) {
  if (n == 1) {
    out.push_back(french_one(g));
  } else if (n <= 20 || n == 70 || n == 80 || n == 90 || (n < 70 && n % 10 == 0)) {
    out.push_back(digit(n));  // Debian's French set records soixante-dix, quatre-vingts, quatre-vingt-dix
  } else if (n < 70) {        // 21..69: vingt et un, vingt-deux
    out.push_back(digit(n / 10 * 10));
    if (n % 10 == 1) out.emplace_back("digits/et");
    french_below_100(n % 10, g, out);
  } else if (n < 80) {  // 71..79: soixante et onze, soixante-douze
    out.emplace_back("digits/60");
    if (n == 71) out.emplace_back("digits/et");
    out.push_back(digit(n - 60));
  } else {  // 81..99: quatre-vingt-un (no "et"), quatre-vingt-onze
    out.emplace_back("digits/80");
    french_below_100(n - 80, g, out);
  }
}

void french_below_1000(std::int64_t n, Gender g, Keys& out) {
  if (n >= 100) {
    if (n >= 200) out.push_back(digit(n / 100));  // cent, deux cents: never "un cent"
    out.emplace_back("digits/hundred");
  }
  if (n % 100 != 0) french_below_100(n % 100, g, out);
}

void french(std::int64_t n, Gender g, Keys& out) {
  if (n >= 1'000'000'000) {  // un milliard, deux milliards
    french_below_1000(n / 1'000'000'000, Gender::kMasculine, out);
    out.emplace_back("digits/billion");
    n %= 1'000'000'000;
  }
  if (n >= 1'000'000) {  // un million, deux millions
    french_below_1000(n / 1'000'000, Gender::kMasculine, out);
    out.emplace_back("digits/million");
    n %= 1'000'000;
  }
  if (n >= 1'000) {  // mille, deux mille: never "un mille"
    if (n >= 2'000) french_below_1000(n / 1'000, Gender::kMasculine, out);
    out.emplace_back("digits/thousand");
    n %= 1'000;
  }
  if (n != 0) french_below_1000(n, g, out);
}

}  // namespace

Result<std::vector<std::string>> number_keys(std::int64_t n, Language language, Gender gender) {
  if (n > kLargestSayableNumber || n < -kLargestSayableNumber) {
    return Error::invalid("number", std::to_string(n) + " is too large to say");
  }
  Keys out;
  if (n < 0) {
    out.emplace_back("digits/minus");
    n = -n;
  }
  if (n == 0) {
    out.emplace_back("digits/0");
  } else if (language == Language::kEnglish) {
    english(n, out);
  } else {
    french(n, gender, out);
  }
  return out;
}

Result<std::vector<std::string>> digit_keys(std::string_view digits) {
  if (digits.empty()) return Error::invalid("digits", "nothing to say");
  Keys out;
  out.reserve(digits.size());
  for (char c : digits) {
    if (c >= '0' && c <= '9') {
      out.push_back(digit(c - '0'));
    } else if (c == '*') {
      out.emplace_back("digits/star");
    } else if (c == '#') {
      out.emplace_back("digits/pound");
    } else {
      return Error::invalid("digits", std::string("cannot say the character '") + c + "'");
    }
  }
  return out;
}

Result<std::vector<std::string>> duration_keys(int minutes, Language language) {
  if (minutes < 0) return Error::invalid("minutes", "a duration cannot be negative");
  const int hours = minutes / 60;
  const int rest = minutes % 60;
  const Gender g = Gender::kFeminine;  // une heure, une minute; English ignores it
  Keys out;
  auto add_number = [&](int n) {
    auto k = number_keys(n, language, g);
    out.insert(out.end(), k->begin(), k->end());  // n < 2^31: always sayable
  };
  if (hours > 0) {
    add_number(hours);
    out.emplace_back(hours == 1 ? "hour" : "hours");
  }
  if (rest > 0 || hours == 0) {
    add_number(rest);
    // French says "une heure trente" without the unit; English always names it.
    if (language == Language::kEnglish || hours == 0) {
      const bool singular = rest == 1 || (rest == 0 && language == Language::kFrench);  // zéro minute
      out.emplace_back(singular ? "minute" : "minutes");
    }
  }
  return out;
}

}  // namespace confpro::ivr
