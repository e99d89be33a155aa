// The OpenAPI document and the router must list the same operations: a route added without documenting it,
// or a documented route that does not exist, fails here.
#include <gtest/gtest.h>

#include <set>

#include "web/api_test_support.h"

namespace confpro::web {
namespace {

class OpenApiTest : public testing::ApiFixture {};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(OpenApiTest, DocumentsExactlyTheRoutesTheServerHas) {
  auto doc = nlohmann::json::parse(openapi_document());
  ASSERT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented, served;
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, op] : item.items()) {
      if (method != "parameters") documented.insert(lower(method) + " " + path);
    }
  }
  for (const auto& r : api->router().routes()) served.insert(lower(r.method) + " " + r.pattern);
  for (const auto& s : served) EXPECT_TRUE(documented.contains(s)) << "not documented: " << s;
  for (const auto& d : documented) EXPECT_TRUE(served.contains(d)) << "documented but not served: " << d;
}

TEST_F(OpenApiTest, EveryRequestBodyDocumentsTooLargeAndWrongMediaType) {
  auto doc = nlohmann::json::parse(openapi_document());
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, op] : item.items()) {
      if (!op.contains("requestBody")) continue;
      EXPECT_TRUE(op["responses"].contains("413")) << method << " " << path;
      EXPECT_TRUE(op["responses"].contains("415")) << method << " " << path;
    }
  }
}

TEST_F(OpenApiTest, IsServedWithoutLogin) {
  testing::Client c(*api);
  auto r = c.get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["info"]["title"], "Conference Pro API");
}

}  // namespace
}  // namespace confpro::web
