// Dates and times of day per language, and the catalog-resolving say_* wrappers.
//
// date.h's parser trips GCC 12's -Wmaybe-uninitialized when inlined (a false positive in the library).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <date/date.h>
#include <date/tz.h>

#include "ivr/say.h"

namespace confpro::ivr {

using domain::Language;

namespace {

using Keys = std::vector<std::string>;

void append(Keys& out, const Keys& more) {
  out.insert(out.end(), more.begin(), more.end());
}

void append_number(Keys& out, int n, Language language, Gender g = Gender::kMasculine) {
  append(out, *number_keys(n, language, g));  // dates and times are far below the limit
}

// English ordinal day: 1st..20th and 30th are recorded; 21st = twenty + first.
void english_day(unsigned day, Keys& out) {
  if (day <= 20 || day == 30) {
    out.push_back("digits/h-" + std::to_string(day));
  } else {
    out.push_back("digits/" + std::to_string(day / 10 * 10));
    out.push_back("digits/h-" + std::to_string(day % 10));
  }
}

// English years in pairs as people say them: 1999 nineteen ninety-nine, 2026 twenty twenty-six, 1900 nineteen
// hundred; 2000..2009 as a number (two thousand five).
void english_year(int year, Keys& out) {
  if (year < 1100 || year > 9999 || (year >= 2000 && year <= 2009)) {
    append_number(out, year, Language::kEnglish);
    return;
  }
  append_number(out, year / 100, Language::kEnglish);
  const int low = year % 100;
  if (low == 0) {
    out.emplace_back("digits/hundred");
  } else if (low < 10) {
    out.emplace_back("digits/oh");
    append_number(out, low, Language::kEnglish);
  } else {
    append_number(out, low, Language::kEnglish);
  }
}

// 9:30 → nine thirty a.m.; 9:05 → nine oh five a.m.; 9:00 → nine a.m.; 0:15 → twelve fifteen a.m.
void english_time(unsigned hour, unsigned minute, Keys& out) {
  const unsigned h12 = hour % 12 == 0 ? 12 : hour % 12;
  append_number(out, static_cast<int>(h12), Language::kEnglish);
  if (minute > 0 && minute < 10) out.emplace_back("digits/oh");
  if (minute > 0) append_number(out, static_cast<int>(minute), Language::kEnglish);
  out.emplace_back(hour < 12 ? "digits/a-m" : "digits/p-m");
}

// 24-hour clock: 9:30 → neuf heures trente; 21:00 → vingt et une heures; 1:01 → une heure une.
void french_time(unsigned hour, unsigned minute, Keys& out) {
  append_number(out, static_cast<int>(hour), Language::kFrench, Gender::kFeminine);
  out.emplace_back(hour <= 1 ? "hour" : "digits/oclock");
  if (minute > 0) append_number(out, static_cast<int>(minute), Language::kFrench, Gender::kFeminine);
}

}  // namespace

std::vector<std::string> date_keys(const LocalDateTime& when, Language language, DateParts parts) {
  Keys out;
  if (parts.weekday) out.push_back("digits/day-" + std::to_string(when.weekday));
  if (language == Language::kEnglish) {
    out.push_back("digits/mon-" + std::to_string(when.month - 1));
    english_day(when.day, out);
    if (parts.year) english_year(when.year, out);
    if (parts.time) {
      out.emplace_back("digits/at");
      english_time(when.hour, when.minute, out);
    }
  } else {
    if (when.day == 1) {
      out.emplace_back("digits/h-1");  // le premier
    } else {
      append_number(out, static_cast<int>(when.day), Language::kFrench);
    }
    out.push_back("digits/mon-" + std::to_string(when.month - 1));
    if (parts.year) append_number(out, when.year, Language::kFrench);
    if (parts.time) {
      out.emplace_back("digits/at");
      french_time(when.hour, when.minute, out);
    }
  }
  return out;
}

Result<LocalDateTime> to_local_date_time(TimePoint t, std::string_view zone) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return Error::invalid("time_zone", "unknown time zone '" + std::string(zone) + "'");
  }
  const auto local = tz->to_local(std::chrono::floor<std::chrono::minutes>(t));
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{local - day};
  LocalDateTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<unsigned>(ymd.month());
  out.day = static_cast<unsigned>(ymd.day());
  out.weekday = date::weekday{day}.c_encoding();
  out.hour = static_cast<unsigned>(hms.hours().count());
  out.minute = static_cast<unsigned>(hms.minutes().count());
  return out;
}

Result<std::vector<std::string>> say_digits(const PromptCatalog& catalog, std::string_view digits,
                                            Language language) {
  auto keys = digit_keys(digits);
  if (!keys) return keys.error();
  return catalog.files(*keys, language);
}

Result<std::vector<std::string>> say_number(const PromptCatalog& catalog, std::int64_t n, Language language,
                                            Gender gender) {
  auto keys = number_keys(n, language, gender);
  if (!keys) return keys.error();
  return catalog.files(*keys, language);
}

Result<std::vector<std::string>> say_date(const PromptCatalog& catalog, TimePoint t, std::string_view zone,
                                          Language language, DateParts parts) {
  auto local = to_local_date_time(t, zone);
  if (!local) return local.error();
  return catalog.files(date_keys(*local, language, parts), language);
}

Result<std::vector<std::string>> say_duration_minutes(const PromptCatalog& catalog, int minutes,
                                                      Language language) {
  auto keys = duration_keys(minutes, language);
  if (!keys) return keys.error();
  return catalog.files(*keys, language);
}

}  // namespace confpro::ivr
