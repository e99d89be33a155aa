// Folding of names for "contains" search: the same text whatever its case and accents ("Élise", "ELISE" and
// "elise" fold alike). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace confpro::store {

// `text` (UTF-8) in lower case with the accents of Latin letters removed: À–ÿ and Latin Extended-A map to their
// base letter, æ/œ/ß to ae/oe/ss; Greek and Cyrillic capitals to lower case; anything else is kept as it is
// (invalid UTF-8 bytes too). Search stores fold(name) beside the name and matches fold(query) against it.
std::string fold_for_search(std::string_view text);

}  // namespace confpro::store
