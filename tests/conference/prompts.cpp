#include "prompts.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "ivr/prompt_catalog.h"
#include "media/audio_file.h"

#ifndef CONFPRO_PROMPT_CACHE
#error "CONFPRO_PROMPT_CACHE (shared espeak-ng prompt cache) must be defined"
#endif

namespace confpro::conftest {

namespace {

constexpr int kRate = 8000;

const ivr::PromptCatalog& catalog() {
  static const ivr::PromptCatalog c([] {
    ivr::PromptCatalog::Options o;  // the test servers' settings: defaults but the generated cache
    o.generated_dir = CONFPRO_PROMPT_CACHE;
    return o;
  }());
  return c;
}

std::vector<std::int16_t> trimmed(std::vector<std::int16_t> pcm) {
  constexpr int kFloor = 300;
  auto loud = [](std::int16_t s) { return std::abs(static_cast<int>(s)) > kFloor; };
  auto first = std::find_if(pcm.begin(), pcm.end(), loud);
  auto last = std::find_if(pcm.rbegin(), pcm.rend(), loud).base();
  if (first >= last) return {};
  return std::vector<std::int16_t>(first, last);
}

double energy(std::span<const std::int16_t> s) {
  double e = 0;
  for (auto v : s) e += static_cast<double>(v) * v;
  return e;
}

// NCC of `p` against `heard` from `off`, each 200 ms piece of `p` at its best lag within +-20 ms of the
// previous piece's (drift allowed), weighted by the piece's energy.
double piecewise_score(std::span<const std::int16_t> heard, std::span<const std::int16_t> p, std::size_t off) {
  constexpr std::size_t kPiece = kRate / 5;
  constexpr long kLag = kRate / 50;
  long drift = 0;
  double weighted = 0, total = 0;
  for (std::size_t at = 0; at < p.size(); at += kPiece) {
    const auto piece = p.subspan(at, std::min(kPiece, p.size() - at));
    const double e = energy(piece);
    double best = 0;
    long best_lag = drift;
    for (long lag = drift - kLag; lag <= drift + kLag; ++lag) {
      const long start = static_cast<long>(off + at) + lag;
      if (start < 0 || static_cast<std::size_t>(start) + piece.size() > heard.size()) continue;
      const auto w = heard.subspan(static_cast<std::size_t>(start), piece.size());
      double dot = 0;
      for (std::size_t k = 0; k < piece.size(); ++k) dot += static_cast<double>(w[k]) * piece[k];
      const double s = dot / std::sqrt(std::max(energy(w), 1.0) * std::max(e, 1.0));
      if (s > best) {
        best = s;
        best_lag = lag;
      }
    }
    drift = best_lag;
    weighted += best * e;
    total += e;
  }
  return total > 0 ? weighted / total : 0;
}

}  // namespace

std::vector<std::int16_t> prompt_audio(const std::vector<std::string>& keys, domain::Language language) {
  static std::map<std::pair<std::string, int>, std::vector<std::int16_t>> cache;
  std::vector<std::int16_t> out;
  for (const auto& key : keys) {
    auto& slot = cache[{key, static_cast<int>(language)}];
    if (slot.empty()) {
      auto files = catalog().files(key, language);
      if (!files) return {};
      for (const auto& f : *files) {
        auto pcm = media::read_audio_file(f, kRate);
        if (!pcm) return {};
        slot.insert(slot.end(), pcm->samples.begin(), pcm->samples.end());
      }
    }
    out.insert(out.end(), slot.begin(), slot.end());
  }
  return trimmed(std::move(out));
}

PromptMatch find_prompt(std::span<const std::int16_t> heard, std::span<const std::int16_t> prompt, std::size_t from,
                        std::size_t to, int max_ms) {
  PromptMatch best;
  const std::size_t n = std::min(prompt.size(), static_cast<std::size_t>(max_ms) * kRate / 1000);
  if (n == 0 || heard.size() < n) return best;
  to = std::min(to, heard.size() - n + 1);
  if (from >= to) return best;
  const auto p = prompt.first(n);
  const double ep = energy(p);
  // Coarse pass on the first 200 ms locates candidates; the full (up to max_ms) correlation decides.
  const std::size_t head = std::min<std::size_t>(n, kRate / 5);
  const double eh = energy(p.first(head));
  double window = energy(heard.subspan(from, head));
  std::vector<std::pair<double, std::size_t>> candidates;
  for (std::size_t off = from; off < to; ++off) {
    if (off > from) {
      const double out = heard[off - 1], in = off + head - 1 < heard.size() ? heard[off + head - 1] : 0;
      window += in * in - out * out;
    }
    if (window <= 1e3) continue;
    double dot = 0;
    for (std::size_t k = 0; k < head; ++k) dot += static_cast<double>(heard[off + k]) * p[k];
    const double s = dot / std::sqrt(std::max(window, 1.0) * eh);
    if (s > 0.4) candidates.emplace_back(s, off);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  if (candidates.size() > 64) candidates.resize(64);
  for (const auto& [coarse, off] : candidates) {
    const auto w = heard.subspan(off, n);
    double dot = 0;
    for (std::size_t k = 0; k < n; ++k) dot += static_cast<double>(w[k]) * p[k];
    const double s = dot / std::sqrt(std::max(energy(w), 1.0) * ep);
    if (s > best.score) best = {off, off + n, s};
  }
  if (best.score < kHeardScore) {
    // A loaded machine may have stretched the heard timeline (the phone fills a late packet's gap with 20 ms
    // of silence): align each 200 ms of the prompt on its own, within 20 ms of where the previous one was.
    if (candidates.size() > 4) candidates.resize(4);
    for (const auto& [coarse, off] : candidates) {
      const double s = piecewise_score(heard, p, off);
      if (s > best.score) best = {off, off + n, s};
    }
  }
  best.end = best.at + prompt.size();
  return best;
}

std::string check_number_read_back(std::span<const std::int16_t> heard, const std::string& number,
                                   domain::Language language, std::size_t from) {
  const auto intro = prompt_audio({"your-conference-number-is"}, language);
  if (intro.empty()) return "no audio for the prompt your-conference-number-is";
  const auto m = find_prompt(heard, intro, from);
  if (m.score < kHeardScore) return "\"your conference number is\" not heard (best score " + std::to_string(m.score) + ")";
  std::vector<std::vector<std::int16_t>> digits;
  for (int d = 0; d <= 9; ++d) digits.push_back(prompt_audio({"digits/" + std::to_string(d)}, language));
  std::size_t pos = m.end;
  for (std::size_t i = 0; i < number.size(); ++i) {
    // The next digit starts where the previous prompt ended (give or take the silences trimmed off the files):
    // of the digits that match there, the one that starts first is what was said (a later one is the next digit).
    const std::size_t lo = pos > kRate / 4 ? pos - kRate / 4 : 0, hi = pos + kRate * 6 / 10;
    std::vector<PromptMatch> found(10);
    double top = 0;
    for (std::size_t d = 0; d < 10; ++d) {
      found[d] = find_prompt(heard, digits[d], lo, hi);
      top = std::max(top, found[d].score);
    }
    int best_digit = -1;
    PromptMatch best;
    for (std::size_t d = 0; d < 10; ++d) {
      if (found[d].score < std::max(kHeardScore, top - 0.1)) continue;
      if (best_digit < 0 || found[d].at < best.at) {
        best = found[d];
        best_digit = static_cast<int>(d);
      }
    }
    if (best_digit != number[i] - '0') {
      return "digit " + std::to_string(i + 1) + " of " + number + ": expected " + number[i] + ", heard " +
             (best_digit < 0 ? std::string("nothing recognizable") : std::to_string(best_digit)) + " (score " +
             std::to_string(best_digit < 0 ? top : best.score) + ")";
    }
    pos = best.end;
  }
  return "";
}

std::string check_keys_in_order(std::span<const std::int16_t> heard, const std::vector<std::string>& keys,
                                domain::Language language, std::size_t from) {
  std::size_t lo = from, hi = std::numeric_limits<std::size_t>::max();
  std::size_t floor = from;  // no earlier than just after the previous key's start
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto audio = prompt_audio({keys[i]}, language);
    if (audio.empty()) return "no audio for the prompt " + keys[i];
    auto m = find_prompt(heard, audio, lo, hi);
    // The earliest occurrence, not the best one: a key said twice in a row ("1", "1" in a PIN) may match its
    // second copy best, and the next key would then be looked for after it.
    // (Another occurrence: at least 0.2 s before, not the same one a few samples off.)
    while (m.score >= kHeardScore && m.at >= std::max(lo, floor) + kRate / 5) {
      const auto earlier = find_prompt(heard, audio, std::max(lo, floor), m.at - kRate / 5 + 1);
      if (earlier.score < kHeardScore) break;
      m = earlier;
    }
    if (m.score < kHeardScore) {
      return "prompt " + std::to_string(i + 1) + " of " + std::to_string(keys.size()) + " (" + keys[i] +
             ") not heard " + (i == 0 ? "" : "after " + keys[i - 1] + " ") + "(best score " +
             std::to_string(m.score) + ")";
    }
    // The next key starts where this one ended, give or take the silences trimmed off the files.
    floor = m.at + kRate / 10;
    lo = m.end > kRate / 4 ? m.end - kRate / 4 : 0;
    hi = m.end + kRate * 6 / 10;
  }
  return "";
}

}  // namespace confpro::conftest
