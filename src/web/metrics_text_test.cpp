// The Prometheus text exposition format (version 0.0.4) as /metrics writes it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "web/operations.h"

namespace confpro::web {
namespace {

TEST(PrometheusText, WritesHelpTypeAndOneLinePerSample) {
  std::vector<MetricFamily> families = {
      {"confpro_conferences", "Conferences with a room on this node.", "gauge", {{{}, 3}}},
      {"confpro_sip_calls_answered_total",
       "SIP calls answered.",
       "counter",
       {{{{"direction", "in"}}, 12}, {{{"direction", "out"}}, 0}}},
  };
  EXPECT_EQ(prometheus_text(families),
            "# HELP confpro_conferences Conferences with a room on this node.\n"
            "# TYPE confpro_conferences gauge\n"
            "confpro_conferences 3\n"
            "# HELP confpro_sip_calls_answered_total SIP calls answered.\n"
            "# TYPE confpro_sip_calls_answered_total counter\n"
            "confpro_sip_calls_answered_total{direction=\"in\"} 12\n"
            "confpro_sip_calls_answered_total{direction=\"out\"} 0\n");
}

TEST(PrometheusText, FractionsRoundTripAndLargeCountersStayIntegers) {
  std::vector<MetricFamily> families = {{"m", "h", "gauge", {{{}, 0.0125}, {{}, 1e12}, {{}, -2}}}};
  EXPECT_EQ(prometheus_text(families), "# HELP m h\n# TYPE m gauge\nm 0.0125\nm 1000000000000\nm -2\n");
}

TEST(PrometheusText, NotANumberAndInfinitiesAreSpelledAsPrometheusReadsThem) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<MetricFamily> families = {{"m", "h", "gauge", {{{}, std::nan("")}, {{}, inf}, {{}, -inf}}}};
  EXPECT_EQ(prometheus_text(families), "# HELP m h\n# TYPE m gauge\nm NaN\nm +Inf\nm -Inf\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelpText) {
  std::vector<MetricFamily> families = {
      {"m", "line one\nback\\slash \"quoted\"", "gauge", {{{{"node", "a\"b\\c\nd"}, {"x", "y"}}, 1}}}};
  EXPECT_EQ(prometheus_text(families),
            "# HELP m line one\\nback\\\\slash \"quoted\"\n# TYPE m "
            "gauge\nm{node=\"a\\\"b\\\\c\\nd\",x=\"y\"} 1\n");
}

TEST(PrometheusText, AFamilyWithoutSamplesStillDescribesItself) {
  EXPECT_EQ(prometheus_text({{"m", "h", "counter", {}}}), "# HELP m h\n# TYPE m counter\n");
}

}  // namespace
}  // namespace confpro::web
