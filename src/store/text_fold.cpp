// Folding of names for search (text_fold.h).
#include "store/text_fold.h"

#include <cstdint>

namespace confpro::store {

namespace {

// Base letters of U+00C0–U+00FF (lower case); '*' = keep the code point (× ÷), 'A' = æ, 'T' = þ, 'S' = ß.
constexpr std::string_view kLatin1 =
    "aaaaaaAceeeeiiii"   // C0–CF  À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
    "dnooooo*ouuuuyTS"   // D0–DF  Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
    "aaaaaaAceeeeiiii"   // E0–EF
    "dnooooo*ouuuuyTy";  // F0–FF

// Base letters of U+0100–U+017F (Latin Extended-A), two per letter pair mostly; 'O' = œ, 'I' = ĳ.
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccdd"   // 0100–010F
    "ddeeeeeeeeeegggg"   // 0110–011F
    "gggghhhhiiiiiiii"   // 0120–012F
    "iiIIjjkkklllllll"   // 0130–013F
    "lllnnnnnnnnnoooo"   // 0140–014F
    "ooOOrrrrrrssssss"   // 0150–015F
    "ssttttttuuuuuuuu"   // 0160–016F
    "uuuuwwyyyzzzzzzs";  // 0170–017F

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Appends the folded form of one Latin letter code from the tables above.
void append_base(std::string& out, char base, std::uint32_t cp) {
  switch (base) {
    case '*': append_utf8(out, cp); break;
    case 'A': out += "ae"; break;
    case 'O': out += "oe"; break;
    case 'I': out += "ij"; break;
    case 'S': out += "ss"; break;
    case 'T': out += "th"; break;
    default: out += base;
  }
}

void append_folded(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
  } else if (cp >= 0xC0 && cp <= 0xFF) {
    append_base(out, kLatin1[cp - 0xC0], cp);
  } else if (cp >= 0x100 && cp <= 0x17F) {
    append_base(out, kLatinExtA[cp - 0x100], cp);
  } else if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) {
    append_utf8(out, cp + 32);  // Greek, Cyrillic capitals
  } else if (cp >= 0x400 && cp <= 0x40F) {
    append_utf8(out, cp + 80);  // Cyrillic Ѐ–Џ
  } else {
    append_utf8(out, cp);
  }
}

}  // namespace

std::string fold_for_search(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; valid && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      valid = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!valid) {  // keep a stray byte as it is
      out += text[i];
      ++i;
      continue;
    }
    append_folded(out, cp);
    i += len;
  }
  return out;
}

}  // namespace confpro::store
