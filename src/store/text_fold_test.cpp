// Unit tests of fold_for_search (text_fold.h).
#include "store/text_fold.h"

#include <gtest/gtest.h>

namespace confpro::store {
namespace {

TEST(FoldForSearch, CaseAndAccentsOfLatinLettersFoldAway) {
  EXPECT_EQ(fold_for_search("Élise"), "elise");
  EXPECT_EQ(fold_for_search("ÉLISE"), "elise");
  EXPECT_EQ(fold_for_search("élise"), "elise");
  EXPECT_EQ(fold_for_search("Réunion d'ÉQUIPE à Orléans"), "reunion d'equipe a orleans");
  EXPECT_EQ(fold_for_search("Ça Ñandú Øresund Łódź Škoda Ţară Ŵŷ Źle"), "ca nandu oresund lodz skoda tara wy zle");
}

TEST(FoldForSearch, LigaturesBecomeTwoLetters) {
  EXPECT_EQ(fold_for_search("Œuvre Æther Straße"), "oeuvre aether strasse");
}

TEST(FoldForSearch, GreekAndCyrillicCapitalsFoldToLowerCase) {
  EXPECT_EQ(fold_for_search("ΑΘΗΝΑ"), "αθηνα");
  EXPECT_EQ(fold_for_search("МОСКВА Ёлка"), "москва ёлка");
}

TEST(FoldForSearch, OtherTextAndBadBytesAreKept) {
  EXPECT_EQ(fold_for_search("100% sync_up × 2 ÷ 3 — 東京 😀"), "100% sync_up × 2 ÷ 3 — 東京 😀");
  EXPECT_EQ(fold_for_search(std::string("A\xC3") + "B\xFF"), std::string("a\xC3") + "b\xFF");
  EXPECT_EQ(fold_for_search(""), "");
}

}  // namespace
}  // namespace confpro::store
