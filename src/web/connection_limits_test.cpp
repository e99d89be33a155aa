#include "web/connection_limits.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

TEST(ConnectionLimits, TheLastTenthIsKeptForAddressesWithFewConnections) {
  ConnectionLimits limits(100, 64);
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(limits.admit("busy1", "busy1:" + std::to_string(i)));
  int second = 0;
  while (limits.admit("busy2", "busy2:" + std::to_string(second))) ++second;
  EXPECT_EQ(second, 26);  // 64 + 26 = 90: the rest is for light sources
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limits.admit("browser", "browser:" + std::to_string(i)));
  EXPECT_FALSE(limits.admit("browser", "browser:4"));
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(limits.admit("b" + std::to_string(i), "b:" + std::to_string(i)));
  EXPECT_FALSE(limits.admit("late", "late:1"));  // the total cap itself
}

TEST(ConnectionLimits, CapsEachAddressAndTheTotal) {
  ConnectionLimits limits(5, 2);
  EXPECT_TRUE(limits.admit("10.0.0.1", "10.0.0.1:1"));
  EXPECT_TRUE(limits.admit("10.0.0.1", "10.0.0.1:2"));
  EXPECT_FALSE(limits.admit("10.0.0.1", "10.0.0.1:3"));  // per address
  EXPECT_TRUE(limits.admit("10.0.0.2", "10.0.0.2:1"));
  EXPECT_TRUE(limits.admit("10.0.0.2", "10.0.0.2:2"));
  EXPECT_TRUE(limits.admit("10.0.0.3", "10.0.0.3:1"));
  EXPECT_FALSE(limits.admit("10.0.0.4", "10.0.0.4:1"));  // in total
  EXPECT_EQ(limits.open(), 5u);
  limits.closed("10.0.0.4:1");  // refused: never counted
  EXPECT_EQ(limits.open(), 5u);
  limits.closed("10.0.0.1:1");
  EXPECT_EQ(limits.open_from("10.0.0.1"), 1u);
  EXPECT_TRUE(limits.admit("10.0.0.1", "10.0.0.1:3"));
}

TEST(ConnectionLimits, EveryCloseGivesItsPlaceBack) {
  ConnectionLimits limits(3, 3);
  for (int round = 0; round < 100; ++round) {
    for (int port = 0; port < 3; ++port) ASSERT_TRUE(limits.admit("a", "a:" + std::to_string(port)));
    ASSERT_FALSE(limits.admit("a", "a:9"));
    for (int port = 0; port < 3; ++port) limits.closed("a:" + std::to_string(port));
    limits.closed("a:0");  // a second report of the same close
  }
  EXPECT_EQ(limits.open(), 0u);
  EXPECT_EQ(limits.open_from("a"), 0u);
}

TEST(ConnectionLimits, AnEndpointWhoseCloseWasLostCountsOnce) {
  ConnectionLimits limits(2, 2);
  EXPECT_TRUE(limits.admit("a", "a:1"));
  EXPECT_TRUE(limits.admit("a", "a:1"));  // the port came back: the old connection is gone
  EXPECT_EQ(limits.open(), 1u);
  EXPECT_TRUE(limits.admit("a", "a:2"));
}

TEST(ConnectionLimits, ZeroMeansNoCap) {
  ConnectionLimits limits(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limits.admit("a", "a:" + std::to_string(i)));
}

}  // namespace
}  // namespace confpro::web
