#include "web/router.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  ManualClock clock{from_epoch_ms(1'700'000'000'000)};
  SessionTable sessions{std::chrono::minutes(30)};
  Router router{sessions, clock};

  void SetUp() override {
    router.add("GET", "/api/v1/things/{id}", Access::kSignedIn, [](const Call& c) {
      return json_response(200, {{"id", c.params.at("id")}, {"user", c.principal().username}});
    });
    router.add("POST", "/api/v1/things", Access::kSignedIn, [](const Call&) { return json_response(201, {}); });
    router.add("GET", "/api/v1/admin", Access::kAdmin, [](const Call&) { return json_response(200, {}); });
    router.add("GET", "/api/v1/open", Access::kPublic, [](const Call&) { return json_response(200, {}); });
  }

  HttpRequest request(std::string method, std::string path, const Session* s = nullptr, bool csrf = true) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    if (s) {
      r.headers["cookie"] = std::string(Router::kSessionCookie) + "=" + s->id;
      if (csrf) r.headers["x-csrf-token"] = s->csrf_token;
    }
    return r;
  }
};

TEST_F(RouterTest, PathParametersAreExtracted) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  auto r = router.dispatch(request("GET", "/api/v1/things/42", &s));
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["id"], "42");
  EXPECT_EQ(j["user"], "alice");
}

TEST_F(RouterTest, NoSessionIsUnauthenticated) {
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/things/1")).status, 401);
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/open")).status, 200);
}

TEST_F(RouterTest, OrganizerIsForbiddenOnAdminRoutes) {
  auto org = sessions.create({"alice", "", "organizer"}, clock.now());
  auto admin = sessions.create({"root", "", "admin"}, clock.now());
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/admin", &org)).status, 403);
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/admin", &admin)).status, 200);
}

TEST_F(RouterTest, StateChangeWithoutCsrfTokenIsForbidden) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  EXPECT_EQ(router.dispatch(request("POST", "/api/v1/things", &s, false)).status, 403);
  auto wrong = request("POST", "/api/v1/things", &s, false);
  wrong.headers["x-csrf-token"] = "0000";
  EXPECT_EQ(router.dispatch(wrong).status, 403);
  EXPECT_EQ(router.dispatch(request("POST", "/api/v1/things", &s)).status, 201);
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/nothing", &s)).status, 404);
  EXPECT_EQ(router.dispatch(request("DELETE", "/api/v1/things/3", &s)).status, 405);
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/things/", &s)).status, 404);
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/things/1/more", &s)).status, 404);
}

TEST_F(RouterTest, WrongMethodNamesTheAllowedOnesAndHeadIsAnsweredAsGet) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  auto r = router.dispatch(request("DELETE", "/api/v1/things/3", &s));
  ASSERT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD"}));
  EXPECT_EQ(router.dispatch(request("HEAD", "/api/v1/things/3", &s)).status, 200);
  EXPECT_EQ(router.dispatch(request("PUT", "/api/v1/things", &s)).headers.at(0).second, "POST");
}

TEST_F(RouterTest, ABodyThatIsNotJsonIs415) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonp"}) {
    auto r = request("POST", "/api/v1/things", &s);
    r.body = "{}";
    if (*type) r.headers["content-type"] = type;
    EXPECT_EQ(router.dispatch(r).status, 415) << type;
  }
  auto ok = request("POST", "/api/v1/things", &s);
  ok.body = "{}";
  ok.headers["content-type"] = "Application/JSON; charset=utf-8";
  EXPECT_EQ(router.dispatch(ok).status, 201);
  EXPECT_EQ(router.dispatch(request("POST", "/api/v1/things", &s)).status, 201);  // no body, no type needed
}

TEST_F(RouterTest, ExpiredSessionIsUnauthenticated) {
  auto s = sessions.create({"alice", "", "organizer"}, clock.now());
  clock.advance(std::chrono::minutes(31));
  EXPECT_EQ(router.dispatch(request("GET", "/api/v1/things/1", &s)).status, 401);
}

}  // namespace
}  // namespace confpro::web
