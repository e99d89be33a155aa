// The built-in list of prompts: each key with its Debian recording (if one fits) and its text in each
// language. Sentences (what the IVR flows and the conference play) and words (digits, numbers, weekdays,
// months, ordinals, units — what say.h assembles) are both keys of the same catalog. Thread safety: immutable
// static data; safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace confpro::ivr {

struct PromptEntry {
  std::string_view key;  // e.g. "enter-pin", "digits/7"; also the override file name: <lang>/<key>.wav
  // Debian sound name(s) without ".wav", relative to the language's folder, separated by spaces when the
  // prompt is a sequence (e.g. "conf-getpin"); empty when no recording fits. A missing file falls back to
  // speech.
  std::string_view recording_en;
  std::string_view recording_fr;
  std::string_view text_en;  // what is said; what espeak-ng speaks when there is no recording
  std::string_view text_fr;
};

// Every sentence prompt, in a stable order.
std::span<const PromptEntry> sentence_prompts();

// Every word prompt (digits/…, hour, minutes, …), in a stable order.
std::span<const PromptEntry> word_prompts();

// The entry for `key` among both lists, or nullptr.
const PromptEntry* find_prompt(std::string_view key);

}  // namespace confpro::ivr
