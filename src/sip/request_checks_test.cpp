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

TEST(DialogUri, UsableTargetsAndRoutesPass) {
  EXPECT_EQ(nullptr, dialog_uri_problem({"sip", "127.0.0.1", "5060", ""}));
  EXPECT_EQ(nullptr, dialog_uri_problem({"SIP", "pc33.atlanta.example.com", "", "transport=tcp;lr"}));
  EXPECT_EQ(nullptr, dialog_uri_problem({"sips", "[2001:db8::1]", "5061", "transport=TLS"}));
  EXPECT_EQ(nullptr, dialog_uri_problem({"sip", "proxy.example.com.", "65535", "lr;maddr=192.0.2.1"}));
  EXPECT_EQ(nullptr, dialog_uri_problem({"sip", "x", "", "ob;foo=bar"}));
}

// sofia took each of these as a Contact or Record-Route and failed only when it sent a request there (issue
// 11).
TEST(DialogUri, OtherSchemesAreRefused) {
  for (const char* scheme : {"tel", "http", "mailto", "urn", "im", "pres", "", "*", "sipx"}) {
    EXPECT_STREQ(dialog_uri_problem({scheme, "127.0.0.1", "", ""}), "Unsupported URI Scheme") << scheme;
  }
}

TEST(DialogUri, HostsThatAreNeitherAddressesNorHostnamesAreRefused) {
  for (const char* host :
       {"", "[::1", "::1]", "[::1]x", "[zz::1]", "256.256.256.256", "1.2.3", "1.2.3.4.5", "-x", "x-", "a..b",
        "a b", "%00", "1x.2y.3", "host_name", "a.-b.c", "[]", "x..", "a.b.c.1"}) {
    EXPECT_STREQ(dialog_uri_problem({"sip", host, "", ""}), "Bad Host") << host;
  }
  EXPECT_EQ(nullptr, dialog_uri_problem({"sip", "::1", "", ""}));  // an unbracketed IPv6 address is still one
}

TEST(DialogUri, PortsOutsideOneTo65535AreRefused) {
  for (const char* port : {"0", "65536", "99999", "999999", "-1", "x", "50 60", "+5"}) {
    EXPECT_STREQ(dialog_uri_problem({"sip", "127.0.0.1", port, ""}), "Bad Port") << port;
  }
}

TEST(DialogUri, TransportsWeLackAndBadMaddrAreRefused) {
  EXPECT_STREQ(dialog_uri_problem({"sip", "127.0.0.1", "", "transport=sctp"}), "Unsupported Transport");
  EXPECT_STREQ(dialog_uri_problem({"sip", "127.0.0.1", "", "lr;transport="}), "Unsupported Transport");
  EXPECT_STREQ(dialog_uri_problem({"sip", "127.0.0.1", "", "maddr="}), "Bad maddr");
  EXPECT_STREQ(dialog_uri_problem({"sip", "127.0.0.1", "", "lr;maddr=999.1.1.1"}), "Bad maddr");
}

}  // namespace
}  // namespace confpro::sip
