#include "sip/dtmf_info.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

TEST(DtmfInfo, DtmfRelayBodyGivesTheSignal) {
  EXPECT_EQ(parse_dtmf_info("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"), '5');
  EXPECT_EQ(parse_dtmf_info("Application/DTMF-Relay", "signal= #\nDuration=100"), '#');
  EXPECT_EQ(parse_dtmf_info("application/dtmf-relay", "Signal=*\r\n"), '*');
}

TEST(DtmfInfo, ApplicationDtmfBodyIsTheDigit) {
  EXPECT_EQ(parse_dtmf_info("application/dtmf", "7"), '7');
  EXPECT_EQ(parse_dtmf_info("application/dtmf", "11"), '#');
  EXPECT_EQ(parse_dtmf_info("application/dtmf", "a"), 'A');
}

TEST(DtmfInfo, OtherTypesAndGarbageGiveNothing) {
  EXPECT_FALSE(parse_dtmf_info("text/plain", "5").has_value());
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Duration=160").has_value());
  EXPECT_FALSE(parse_dtmf_info("application/dtmf-relay", "Signal=xyz").has_value());
  EXPECT_FALSE(parse_dtmf_info("application/dtmf", "").has_value());
}

}  // namespace
}  // namespace confpro::sip
