// /healthz, /readyz and /metrics (operations_routes.cpp) over a probe the test sets: no session needed, the
// token when the operator set one.
#include <gtest/gtest.h>

#include "web/api_test_support.h"
#include "web/operations.h"

namespace confpro::web {
namespace {

class FakeProbe final : public OperationsProbe {
 public:
  ProbeStatus state;
  ProbeStatus status() override { return state; }
  std::vector<MetricFamily> metrics() override {
    return {{"confpro_conferences", "Conferences with a room on this node.", "gauge", {{{}, 2}}}};
  }
};

class OperationsRoutesTest : public testing::ApiFixture {
 protected:
  FakeProbe probe;
  void SetUp() override {
    services.operations = &probe;
    ApiFixture::SetUp();
  }
  void restart_with_token(const std::string& token) {
    options.metrics_token = token;
    api = std::make_unique<Api>(options, services);
  }
  HttpResponse get(const std::string& path, const std::string& authorization = "") {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.remote_address = "127.0.0.1";
    if (!authorization.empty()) r.headers["authorization"] = authorization;
    return api->handle(r);
  }
};

TEST_F(OperationsRoutesTest, HealthyAndReadyWithoutASession) {
  auto h = get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(nlohmann::json::parse(h.body)["status"], "ok");
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "ready");
}

TEST_F(OperationsRoutesTest, DrainingOrStoreUnreachableIsNotReadyButStillAlive) {
  probe.state.draining = true;
  EXPECT_EQ(get("/healthz").status, 200);
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "draining");
  probe.state = {};
  probe.state.store_ok = false;
  r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "store_unreachable");
}

TEST_F(OperationsRoutesTest, AStuckControlLoopFailsBoth) {
  probe.state.alive = false;
  EXPECT_EQ(get("/healthz").status, 503);
  EXPECT_EQ(get("/readyz").status, 503);
}

TEST_F(OperationsRoutesTest, MetricsAreOpenTextWhenNoTokenIsSet) {
  auto m = get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("# TYPE confpro_conferences gauge\nconfpro_conferences 2\n"), std::string::npos)
      << m.body;
}

TEST_F(OperationsRoutesTest, MetricsNeedTheBearerTokenOnceOneIsSet) {
  restart_with_token("s3cret-token");
  auto none = get("/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(testing::header(none, "WWW-Authenticate"), "Bearer realm=\"confpro metrics\"");
  EXPECT_EQ(get("/metrics", "Bearer wrong-token!").status, 401);
  EXPECT_EQ(get("/metrics", "Bearer s3cret-token-longer").status, 401);
  EXPECT_EQ(get("/metrics", "Basic s3cret-token").status, 401);
  EXPECT_EQ(get("/metrics", "Bearer s3cret-token").status, 200);
  EXPECT_EQ(get("/healthz").status, 200);  // the token guards the metrics only
}

TEST_F(OperationsRoutesTest, WithoutAProbeNotReadyAndNoMetrics) {
  services.operations = nullptr;
  api = std::make_unique<Api>(options, services);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 503);
  EXPECT_EQ(get("/metrics").status, 503);
}

}  // namespace
}  // namespace confpro::web
