#include "web/http_types.h"

#include <gtest/gtest.h>

namespace confpro::web {
namespace {

TEST(HttpRequest, CookieIsFoundAmongSeveral) {
  HttpRequest r;
  r.headers["cookie"] = "a=1; confpro_session=abc123 ; theme=dark";
  EXPECT_EQ(r.cookie("confpro_session"), "abc123");
  EXPECT_EQ(r.cookie("theme"), "dark");
  EXPECT_EQ(r.cookie("missing"), "");
}

TEST(HttpRequest, CookieNameMustMatchExactly) {
  HttpRequest r;
  r.headers["cookie"] = "xconfpro_session=evil";
  EXPECT_EQ(r.cookie("confpro_session"), "");
}

TEST(ParseQuery, DecodesPercentAndPlus) {
  auto q = *parse_query("name=Board%20meeting&owner=a+b&empty=&flag");
  EXPECT_EQ(q["name"], "Board meeting");
  EXPECT_EQ(q["owner"], "a b");
  EXPECT_EQ(q["empty"], "");
  EXPECT_TRUE(q.contains("flag"));
}

TEST(PercentDecode, RefusesMalformedEscapesAndBytesThatAreNotUtf8) {
  EXPECT_EQ(percent_decode("100%"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%FF%20"), std::nullopt);
  EXPECT_EQ(percent_decode("%41"), "A");
  EXPECT_EQ(parse_query("a=1&b=%zz"), std::nullopt);
  EXPECT_EQ(parse_query("%zz=1"), std::nullopt);
}

TEST(PercentDecode, PlusIsASpaceOnlyInQueries) {
  EXPECT_EQ(percent_decode("/api/v1/access-numbers/+331", false), "/api/v1/access-numbers/+331");
  EXPECT_EQ(percent_decode("a+b"), "a b");
  EXPECT_EQ(percent_decode("%2B33", false), "+33");
  EXPECT_EQ(percent_decode("+33+1%201", false), "+33+1 1");
}

TEST(PercentDecode, DecodesUtf8) {
  EXPECT_EQ(percent_decode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(percent_decode("a|b%20c"), "a|b c");   // a byte no RFC allows unescaped still passes
}

TEST(ErrorResponse, NamesEveryFieldWithMappedStatus) {
  auto r = error_response(Error::invalid_fields({{"name", "is required"}, {"user_pin", "digits only"}}));
  EXPECT_EQ(r.status, 400);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  ASSERT_EQ(j["error"]["fields"].size(), 2u);
  EXPECT_EQ(j["error"]["fields"][1]["field"], "user_pin");
}

// Issue 12 item 10: a client words the rule from the reason and its parameters; the shape only grows.
TEST(ErrorResponse, CarriesReasonAndParamsWhenGiven) {
  std::vector<FieldError> fields;
  fields.emplace_back("user_pin", "must be exactly 6 digits", "pin_length", ErrorParams{{"length", 6}});
  fields.emplace_back("language", "must be fr or en", "one_of", ErrorParams{{"allowed", "fr, en"}});
  fields.emplace_back("name", "is bad");  // no reason: the old shape, nothing added
  auto j = nlohmann::json::parse(error_response(Error::invalid_fields(fields)).body);
  const auto& f = j["error"]["fields"];
  EXPECT_EQ(
      f[0],
      nlohmann::json::parse(
          R"({"field":"user_pin","message":"must be exactly 6 digits","reason":"pin_length","params":{"length":6}})"));
  EXPECT_EQ(f[1]["params"]["allowed"], "fr, en");
  EXPECT_EQ(f[2], nlohmann::json::parse(R"({"field":"name","message":"is bad"})"));
  EXPECT_FALSE(j["error"].contains("reason"));

  auto denied =
      nlohmann::json::parse(error_response(Error::denied("number 0899 is outside the dial plan")
                                               .with_reason("outside_dial_plan", {{"number", "0899"}}))
                                .body);
  EXPECT_EQ(denied["error"]["code"], "permission_denied");
  EXPECT_EQ(denied["error"]["reason"], "outside_dial_plan");
  EXPECT_EQ(denied["error"]["params"]["number"], "0899");
  EXPECT_EQ(denied["error"]["message"], "number 0899 is outside the dial plan");
}

TEST(ErrorResponse, MapsEachCodeToItsStatus) {
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
}

TEST(SecurityHeaders, ForbidFramingAndInlineScript) {
  HttpResponse r;
  add_security_headers(r, false);
  std::string csp;
  bool nosniff = false, hsts = false;
  for (auto& [k, v] : r.headers) {
    if (k == "Content-Security-Policy") csp = v;
    if (k == "X-Content-Type-Options" && v == "nosniff") nosniff = true;
    if (k == "Strict-Transport-Security") hsts = true;
  }
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_TRUE(nosniff);
  EXPECT_FALSE(hsts);
}

}  // namespace
}  // namespace confpro::web
