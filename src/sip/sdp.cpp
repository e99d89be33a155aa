#include "sip/sdp.h"

#include <sofia-sip/sdp.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

namespace confpro::sip {
namespace {

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

int to_int(std::string_view s, int fallback) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p != s.data() ? v : fallback;
}

media::Direction direction_of(unsigned mode) {
  switch (static_cast<sdp_mode_t>(mode)) {
    case sdp_inactive: return media::Direction::kInactive;
    case sdp_sendonly: return media::Direction::kSendOnly;
    case sdp_recvonly: return media::Direction::kRecvOnly;
    case sdp_sendrecv: break;
  }
  return media::Direction::kSendRecv;
}

// "1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20|1:4 [session params]"
bool parse_crypto(std::string_view v, SdpCrypto& out) {
  auto sp1 = v.find(' ');
  if (sp1 == std::string_view::npos) return false;
  out.tag = to_int(v.substr(0, sp1), -1);
  if (out.tag < 0) return false;
  v.remove_prefix(sp1 + 1);
  auto sp2 = v.find(' ');
  if (sp2 == std::string_view::npos) return false;
  out.suite = std::string(v.substr(0, sp2));
  v.remove_prefix(sp2 + 1);
  if (v.substr(0, 7) != "inline:") return false;
  v.remove_prefix(7);
  auto end = v.find_first_of("| ;");
  out.key_b64 = std::string(v.substr(0, end));
  return !out.key_b64.empty();
}

int ptime_of(const sdp_attribute_t* attrs) {
  for (auto* a = attrs; a; a = a->a_next) {
    if (a->a_name && std::strcmp(a->a_name, "ptime") == 0 && a->a_value) return to_int(a->a_value, 0);
  }
  return 0;
}

void read_formats(const sdp_media_t* m, SdpStream& s) {
  for (auto* f = m->m_format; f; f = f->l_next) s.format_tokens.push_back(text(f->l_text));
  for (auto* r = m->m_rtpmaps; r; r = r->rm_next) {
    SdpFormat f;
    f.payload_type = static_cast<int>(r->rm_pt);
    f.encoding = text(r->rm_encoding);
    f.clock_rate = r->rm_rate;
    f.channels = r->rm_params ? to_int(r->rm_params, 1) : 1;
    f.fmtp = text(r->rm_fmtp);
    s.formats.push_back(std::move(f));
  }
  if (s.format_tokens.empty()) {  // RTP formats live only in m_rtpmaps
    for (const auto& f : s.formats) s.format_tokens.push_back(std::to_string(f.payload_type));
  }
}

SdpStream read_stream(const sdp_session_t* session, const sdp_media_t* m) {
  SdpStream s;
  s.media = text(m->m_type_name);
  s.port = m->m_port <= 65535 ? static_cast<std::uint16_t>(m->m_port) : 0;
  s.proto = m->m_proto == sdp_proto_rtp ? SdpProto::kRtpAvp
            : m->m_proto == sdp_proto_srtp ? SdpProto::kRtpSavp : SdpProto::kOther;
  s.proto_name = text(m->m_proto_name);
  const sdp_connection_t* c = m->m_connections ? m->m_connections : session->sdp_connection;
  if (c) s.address = text(c->c_address);
  s.direction = direction_of(m->m_mode);
  s.ptime_ms = ptime_of(m->m_attributes);
  if (s.ptime_ms == 0) s.ptime_ms = ptime_of(session->sdp_attributes);
  read_formats(m, s);
  for (auto* a = m->m_attributes; a; a = a->a_next) {
    SdpCrypto crypto;
    if (a->a_name && std::strcmp(a->a_name, "crypto") == 0 && a->a_value && parse_crypto(a->a_value, crypto)) {
      s.cryptos.push_back(std::move(crypto));
    }
  }
  return s;
}

bool token_char(char c) {  // RFC 4566 token-char
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2A || u == 0x2B || u == 0x2D || u == 0x2E ||
         (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) || (u >= 0x5E && u <= 0x7E);
}

bool is_token(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), token_char);
}

bool is_number(std::string_view t) {
  return !t.empty() && t.size() <= 10 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// media-field = "m=" media SP port ["/" integer] SP proto 1*(SP fmt); proto = token *("/" token) (RFC 4566).
// Checked before sofia sees it: sofia-sip 1.12's sdp_parse loops for ever on "m=audio 4000 RTP /AVP 0" (found by
// the fuzzer), which would hang the SIP thread.
bool valid_media_line(std::string_view v) {
  std::vector<std::string_view> fields;
  while (!v.empty()) {
    auto sp = v.find(' ');
    fields.push_back(v.substr(0, sp));
    if (sp == std::string_view::npos) break;
    v.remove_prefix(sp + 1);
    if (v.empty()) return false;  // trailing single space is stripped by the caller; more is junk
  }
  if (fields.size() < 4 || !is_token(fields[0])) return false;
  auto port = fields[1];
  auto slash = port.find('/');
  if (!is_number(port.substr(0, slash))) return false;
  if (slash != std::string_view::npos && !is_number(port.substr(slash + 1))) return false;
  std::string_view proto = fields[2];
  while (true) {
    auto p = proto.find('/');
    if (!is_token(proto.substr(0, p))) return false;
    if (p == std::string_view::npos) break;
    proto.remove_prefix(p + 1);
  }
  return std::all_of(fields.begin() + 3, fields.end(), is_token);
}

// Line-level sanity before sofia's parser: every line is "<letter>=…", no NUL or stray control bytes, and m=
// lines follow the grammar.
bool precheck(std::string_view body) {
  while (!body.empty()) {
    auto eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') return false;
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t') return false;
    }
    if (line[0] == 'm' && !valid_media_line(line.substr(2))) return false;
  }
  return true;
}

struct ParserFree {
  void operator()(sdp_parser_t* p) const { sdp_parser_free(p); }
};

}  // namespace

Result<SdpDescription> parse_sdp(std::string_view body) {
  if (body.empty()) return Error::invalid("sdp", "empty body");
  if (body.size() > 64 * 1024) return Error::invalid("sdp", "too large");
  if (!precheck(body)) return Error::invalid("sdp", "malformed line");
  std::unique_ptr<sdp_parser_t, ParserFree> parser(
      sdp_parse(nullptr, body.data(), static_cast<issize_t>(body.size()), sdp_f_mode_0000));
  if (!parser) return Error::invalid("sdp", "out of memory");
  if (const char* err = sdp_parsing_error(parser.get()); err && *err) return Error::invalid("sdp", err);
  const sdp_session_t* session = sdp_session(parser.get());
  if (!session) return Error::invalid("sdp", "no session");
  SdpDescription d;
  if (session->sdp_origin) {
    d.origin_username = text(session->sdp_origin->o_username);
    d.origin_id = session->sdp_origin->o_id;
    d.origin_version = session->sdp_origin->o_version;
  }
  for (auto* m = session->sdp_media; m; m = m->m_next) {
    d.streams.push_back(read_stream(session, m));
    const SdpStream& s = d.streams.back();
    if (s.media == "audio" && s.port != 0 && s.address.empty()) {
      return Error::invalid("sdp", "audio stream without connection address");
    }
  }
  if (d.streams.empty()) return Error::invalid("sdp", "no media line");
  return d;
}

}  // namespace confpro::sip
