#include "sip/request_checks.h"

#include <gtest/gtest.h>

namespace confpro::sip {
namespace {

TEST(RequestChecks, WellFormedRequestLinePasses) {
  EXPECT_EQ(nullptr, request_line_problem("OPTIONS sip:user@example.org SIP/2.0\r\n"));
  EXPECT_EQ(nullptr, request_line_problem("INVITE sip:3001@127.0.0.1:5060;transport=tcp SIP/2.0"));
  EXPECT_EQ(nullptr, request_line_problem("INVITE  sip:user@example.com  SIP/2.0\r\n"));  // TC_LWSSTART_V
}

TEST(RequestChecks, TrailingWhitespaceAfterTheVersionIsRefused) {  // RFC 4475 3.1.2.5 TC_TRWS_I
  EXPECT_STREQ(request_line_problem("OPTIONS sip:remote-target@example.com SIP/2.0  \r\n"),
               "Trailing Whitespace In Request Line");
  EXPECT_NE(nullptr, request_line_problem("OPTIONS sip:a@b SIP/2.0\t\r\n"));
}

TEST(RequestChecks, WhitespaceInsideTheRequestUriIsRefused) {  // RFC 4475 3.1.2.8 TC_LWSRURI_I
  EXPECT_NE(nullptr, request_line_problem("INVITE sip:user@example.com; lr SIP/2.0\r\n"));
  EXPECT_NE(nullptr, request_line_problem("INVITE sip:a@b\r\n"));
}

TEST(RequestChecks, SpacesInsideAngleBracketsAreRefused) {  // RFC 4475 3.1.2.6 TC_BADASPEC_I
  EXPECT_STREQ(name_addr_problem("To: \"Watson, Thomas\" < sip:t.watson@example.org >\r\n"),
               "Whitespace Inside Angle Brackets");
  EXPECT_NE(nullptr, name_addr_problem("m: <sip:a@b >\r\n"));
}

TEST(RequestChecks, BracketsInsideQuotedDisplayNamesAndSpacesOutsideAreFine) {
  EXPECT_EQ(nullptr, name_addr_problem("From: \"a < b > c\" <sip:a@b>;tag=1\r\n"));
  EXPECT_EQ(nullptr, name_addr_problem("To: \"q\\\" < \" <sip:a@b>\r\n"));
  EXPECT_EQ(nullptr, name_addr_problem("To:   Bob   <sip:bob@example.org>  ;tag=2\r\n"));
  EXPECT_EQ(nullptr, name_addr_problem("To: sip:bob@example.org\r\n"));
}

}  // namespace
}  // namespace confpro::sip
