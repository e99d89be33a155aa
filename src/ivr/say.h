// Saying numbers, digits, dates and durations in French and English, as lists of prompts to play.
// Two layers: the *_keys functions are the grammar — pure, they return catalog keys ("digits/20",
// "digits/et", "digits/1"); the say_* functions turn those into files through a PromptCatalog. A sentence is
// a concatenation: files({"your-conference-number-is"}) + say_digits(number) + files({"valid-until"}) + …
// Thread safety: free functions over values; safe from any thread as far as the catalog is
// (prompt_catalog.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "ivr/prompt_catalog.h"

namespace confpro::ivr {

// French agrees "un"/"une" with the noun that follows: une heure, vingt et une minutes. English ignores it.
enum class Gender { kMasculine, kFeminine };

// A wall-clock date and time in some zone, broken down.
struct LocalDateTime {
  int year = 1970;
  unsigned month = 1;    // 1..12
  unsigned day = 1;      // 1..31
  unsigned weekday = 4;  // 0 = Sunday .. 6 = Saturday
  unsigned hour = 0;     // 0..23
  unsigned minute = 0;   // 0..59
};

// Which parts of a date to say (the day and month are always said).
struct DateParts {
  bool weekday = true;
  bool year = true;
  bool time = true;  // "at 9 30 a.m." / "à 9 heures 30"
};

inline constexpr std::int64_t kLargestSayableNumber = 999'999'999'999;

// --- Grammar: catalog keys
// -------------------------------------------------------------------------------------

// Cardinal number. English: "twenty one", "one hundred five", "two thousand twenty six". French: "vingt et
// un", "soixante et onze", "quatre-vingt-dix-sept", "deux cents", "mille". kInvalidArgument beyond
// ±kLargestSayableNumber.
Result<std::vector<std::string>> number_keys(std::int64_t n, domain::Language language,
                                             Gender gender = Gender::kMasculine);

// One key per character: 0-9, '*' (star), '#' (pound); the same in both languages. kInvalidArgument for any
// other character or an empty string.
Result<std::vector<std::string>> digit_keys(std::string_view digits);

// English: "Tuesday, December 1st, twenty twenty-six, at 9 30 a.m."; French: "mardi 1er décembre 2026 à 9
// heures 30". Assumes a valid date (to_local_date_time() makes one).
std::vector<std::string> date_keys(const LocalDateTime& when, domain::Language language,
                                   DateParts parts = {});

// English: "1 hour 30 minutes", "2 hours", "1 minute"; French: "une heure 30", "2 heures", "une minute".
// kInvalidArgument for a negative count.
Result<std::vector<std::string>> duration_keys(int minutes, domain::Language language);

// UTC instant → its wall-clock date and time in the IANA `zone` (DST-correct). kInvalidArgument for an
// unknown zone.
Result<LocalDateTime> to_local_date_time(TimePoint t, std::string_view zone);

// What to read back about a booking (I3).
struct BookingReadBack {
  bool pins = false;     // also "the participant PIN is … the moderator PIN is …"
  bool duration = true;  // also "it lasts 1 hour 30 minutes"
};

// "Your conference number is 4 8 2 9 1 3. [The participant PIN is … The moderator PIN is …] It is valid until
// <date in zone>, for up to 10 participants. [It lasts 1 hour.]" — in `language` (the caller's, which may
// differ from the booking's). kInvalidArgument for an unknown zone or a number/PIN that is not digits.
Result<std::vector<std::string>> booking_details_keys(const domain::Booking& booking, std::string_view zone,
                                                      domain::Language language, BookingReadBack what = {});

// --- The same as files to play
// ---------------------------------------------------------------------------------

Result<std::vector<std::string>> say_digits(const PromptCatalog& catalog, std::string_view digits,
                                            domain::Language language);
Result<std::vector<std::string>> say_number(const PromptCatalog& catalog, std::int64_t n,
                                            domain::Language language, Gender gender = Gender::kMasculine);
Result<std::vector<std::string>> say_date(const PromptCatalog& catalog, TimePoint t, std::string_view zone,
                                          domain::Language language, DateParts parts = {});
Result<std::vector<std::string>> say_duration_minutes(const PromptCatalog& catalog, int minutes,
                                                      domain::Language language);

}  // namespace confpro::ivr
