// Issue 13 item 3 (one owner per rule): access numbers are routed from the store. A number an administrator
// adds through the web API answers at once with the main menu in its language, a change of its language is
// heard by the next caller, and once deleted it answers 404. The configuration only seeds the store: after a
// restart the console's change to a configured number still holds.
#include "e2e.h"

namespace confpro::conftest {
namespace {

using domain::Language;

class AccessNumberTest : public ConferenceTest {
 protected:
  // Dials `number`; true when the caller hears the main menu (welcome, then the menu's choices) in
  // `language`.
  bool hears_main_menu(const std::string& name, const std::string& number, Language language) {
    auto p = call(name, number);
    if (!p) return false;
    const bool heard = wait_prompt(*p, {"welcome", "main-menu"}, language, 0, 20s).has_value();
    EXPECT_TRUE(p->hang_up());
    return heard;
  }
  // Dials `number` and returns the final SIP status (200 when answered).
  int status_of(const std::string& number) {
    Softphone p("refused-" + number, 0, "0600000098");
    p.dial(number, server->sip_port());
    if (p.wait_answered(5s)) {
      EXPECT_TRUE(p.hang_up());
      return 200;
    }
    return p.final_status();
  }

  std::unique_ptr<WebClient> web;
};

TEST_F(AccessNumberTest, ANumberAddedInTheConsoleIsRoutedAtOnceAndNoLongerOnceDeleted) {
  web = start_with_admin();
  ASSERT_TRUE(web);
  EXPECT_EQ(status_of("3050"), 404) << "3050 is not an access number yet";

  auto added = web->post("/api/v1/access-numbers",
                         {{"number", "3050"}, {"label", "Added"}, {"kind", "local"}, {"language", "en"}});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_TRUE(hears_main_menu("added-en", "3050", Language::kEnglish))
      << "a number added in the console does not lead to the main menu";

  // Changing its language is heard by the next caller.
  auto changed = web->post("/api/v1/access-numbers",
                           {{"number", "3050"}, {"label", "Added"}, {"kind", "local"}, {"language", "fr"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_TRUE(hears_main_menu("added-fr", "3050", Language::kFrench)) << "the new language is not used";

  ASSERT_EQ(web->del("/api/v1/access-numbers/3050").status, 204);
  EXPECT_EQ(status_of("3050"), 404) << "a deleted access number still answers";
  EXPECT_TRUE(hears_main_menu("configured", kAccessNumber, Language::kEnglish)) << "the configured one broke";
}

TEST_F(AccessNumberTest, TheConsolesChangeToAConfiguredNumberOutlivesARestart) {
  web = start_with_admin();
  ASSERT_TRUE(web);
  // 3001 is configured in English; the console makes it French.
  auto changed =
      web->post("/api/v1/access-numbers",
                {{"number", kAccessNumber}, {"label", "Renamed"}, {"kind", "local"}, {"language", "fr"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  ASSERT_TRUE(server->stop());
  ASSERT_TRUE(server->start());
  web = admin_web();
  ASSERT_TRUE(web);
  std::string label;
  for (const auto& n : web->get("/api/v1/access-numbers").json().value("items", nlohmann::json::array()))
    if (n.value("number", "") == kAccessNumber) label = n.value("label", "") + "|" + n.value("language", "");
  EXPECT_EQ(label, "Renamed|fr") << "the configuration overwrote the console's change at start";
  EXPECT_TRUE(hears_main_menu("after-restart", kAccessNumber, Language::kFrench));
}

}  // namespace
}  // namespace confpro::conftest
