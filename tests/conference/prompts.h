// Recognizing prompts by ear in the end-to-end tests: the audio the server plays for prompt keys (the same
// catalog — Debian's recordings and the shared cache of generated speech — the test servers use), and where
// (if anywhere) it appears in what a softphone heard, by normalized cross-correlation.
// Thread safety: one test thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "domain/booking.h"

namespace confpro::conftest {

// The audio (8 kHz) of `keys` played in order in `language`, leading and trailing silence trimmed. Empty when
// a key is unknown or a file unreadable.
std::vector<std::int16_t> prompt_audio(const std::vector<std::string>& keys, domain::Language language);

struct PromptMatch {
  std::size_t at = 0;   // index in the heard audio where the prompt starts
  std::size_t end = 0;  // at + the prompt's length
  double score = 0;     // normalized cross-correlation, 1 = identical
};

// Best alignment of `prompt` (its first `max_ms` at most) in `heard`, starting at offsets in [from, to).
PromptMatch find_prompt(std::span<const std::int16_t> heard, std::span<const std::int16_t> prompt,
                        std::size_t from = 0, std::size_t to = std::numeric_limits<std::size_t>::max(),
                        int max_ms = 1500);

// A prompt counts as heard at this score or above; another prompt, a tone or silence stays far below.
constexpr double kHeardScore = 0.6;

// Checks that `heard` contains, from `from` on, the prompt "your-conference-number-is" and then `number` read
// digit by digit: each digit must be the best match of the ten digit prompts right where the previous one
// ended. Returns "" when so, or what went wrong (which digit was heard instead).
std::string check_number_read_back(std::span<const std::int16_t> heard, const std::string& number,
                                   domain::Language language, std::size_t from = 0);

// Checks that `heard` contains, from `from` on, the prompt `keys[0]` and then each following key right where the
// previous one ended (a sentence the IVR assembles from catalog keys, e.g. a date). Returns "" when so, or
// which key was not heard where expected.
std::string check_keys_in_order(std::span<const std::int16_t> heard, const std::vector<std::string>& keys,
                                domain::Language language, std::size_t from = 0);

}  // namespace confpro::conftest
