#include "sip/sdp_negotiate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <random>
#include <sstream>

namespace confpro::sip {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct CodecInfo {
  media::CodecKind kind;
  const char* name;
  unsigned long rate;      // RTP clock rate
  int static_pt;           // -1: dynamic
  int offer_pt;            // what we use in our offers
  int sdp_channels;        // channels written in rtpmap (opus: 2)
};

constexpr std::array<CodecInfo, 4> kCodecs{{
    {media::CodecKind::kPcmu, "PCMU", 8000, 0, 0, 1},
    {media::CodecKind::kPcma, "PCMA", 8000, 8, 8, 1},
    {media::CodecKind::kG722, "G722", 8000, 9, 9, 1},
    {media::CodecKind::kOpus, "opus", 48000, -1, 111, 2},
}};
constexpr int kOfferTelephoneEventPt = 101;

const CodecInfo& info(media::CodecKind kind) {
  for (const auto& c : kCodecs) {
    if (c.kind == kind) return c;
  }
  return kCodecs[0];
}

bool matches(const SdpFormat& f, const CodecInfo& c) {
  if (f.encoding.empty()) return c.static_pt >= 0 && f.payload_type == c.static_pt;
  return iequals(f.encoding, c.name) && f.clock_rate == c.rate;
}

bool supported_suite(const std::string& suite) {
  return suite == "AES_CM_128_HMAC_SHA1_80" || suite == "AES_CM_128_HMAC_SHA1_32";
}

media::Direction reverse(media::Direction peer) {
  switch (peer) {
    case media::Direction::kSendOnly: return media::Direction::kRecvOnly;
    case media::Direction::kRecvOnly: return media::Direction::kSendOnly;
    default: return peer;
  }
}

const char* direction_attr(media::Direction d) {
  switch (d) {
    case media::Direction::kSendOnly: return "sendonly";
    case media::Direction::kRecvOnly: return "recvonly";
    case media::Direction::kInactive: return "inactive";
    case media::Direction::kSendRecv: break;
  }
  return "sendrecv";
}

int usable_ptime(int offered, int fallback) {
  return (offered == 10 || offered == 20 || offered == 30 || offered == 40 || offered == 60) ? offered : fallback;
}

int telephone_event_pt(const SdpStream& s, unsigned long rate) {
  int any = -1;
  for (const auto& f : s.formats) {
    if (!iequals(f.encoding, "telephone-event")) continue;
    if (f.clock_rate == rate) return f.payload_type;
    if (any < 0) any = f.payload_type;
  }
  return rate == 8000 ? -1 : any;  // a 48 kHz codec may still carry 8 kHz events; the reverse is not useful
}

// SRTP admission for one stream: sets crypto when SRTP is used; false when the stream is not acceptable.
bool admit_srtp(const SdpStream& s, SrtpPolicy policy, std::optional<SdpCrypto>& crypto) {
  crypto.reset();
  if (s.proto == SdpProto::kRtpSavp) {
    if (policy == SrtpPolicy::kOff) return false;
    for (const auto& c : s.cryptos) {
      if (supported_suite(c.suite)) {
        crypto = c;
        return true;
      }
    }
    return false;
  }
  return policy != SrtpPolicy::kRequired;
}

Result<Negotiated> choose(const SdpDescription& d, const NegotiationPolicy& policy, bool peer_order) {
  for (std::size_t i = 0; i < d.streams.size(); ++i) {
    const SdpStream& s = d.streams[i];
    if (s.media != "audio" || s.port == 0 || s.proto == SdpProto::kOther) continue;
    Negotiated n;
    if (!admit_srtp(s, policy.srtp, n.remote_crypto)) continue;
    const SdpFormat* chosen = nullptr;
    const CodecInfo* chosen_info = nullptr;
    if (peer_order) {  // an answer: the peer's first format that we know and offered
      for (const auto& f : s.formats) {
        for (auto kind : policy.codecs) {
          if (!chosen && matches(f, info(kind))) chosen = &f, chosen_info = &info(kind);
        }
      }
    } else {
      for (auto kind : policy.codecs) {
        for (const auto& f : s.formats) {
          if (!chosen && matches(f, info(kind))) chosen = &f, chosen_info = &info(kind);
        }
      }
    }
    if (!chosen) continue;
    n.stream_index = i;
    n.codec.kind = chosen_info->kind;
    n.codec.payload_type = chosen->payload_type;
    n.codec.clock_rate = static_cast<int>(chosen_info->rate);
    n.codec.channels = 1;
    n.codec.ptime_ms = usable_ptime(s.ptime_ms, policy.ptime_ms);
    n.codec.telephone_event_pt = telephone_event_pt(s, chosen_info->rate);
    if (n.codec.telephone_event_pt < 0) n.codec.telephone_event_pt = telephone_event_pt(s, 8000);
    n.remote_ip = s.address;
    n.remote_port = s.port;
    n.direction = reverse(s.direction);
    if (n.remote_ip == "0.0.0.0" && n.direction == media::Direction::kSendRecv) {
      n.direction = media::Direction::kRecvOnly;  // RFC 2543 hold
    }
    n.proto = s.proto;
    if (n.codec.kind == media::CodecKind::kOpus) n.opus_fmtp = "useinbandfec=1";
    return n;
  }
  return Error::precondition("no common codec");
}

void write_origin(std::ostringstream& out, const LocalSdp& local) {
  const char* family = local.address.find(':') != std::string::npos ? "IP6" : "IP4";
  out << "v=0\r\n"
      << "o=- " << local.session_id << ' ' << local.version << " IN " << family << ' ' << local.address << "\r\n"
      << "s=ConferencePro\r\n"
      << "c=IN " << family << ' ' << local.address << "\r\n"
      << "t=0 0\r\n";
}

void write_rtpmap(std::ostringstream& out, int pt, const CodecInfo& c, const std::string& fmtp) {
  out << "a=rtpmap:" << pt << ' ' << c.name << '/' << c.rate;
  if (c.sdp_channels > 1) out << '/' << c.sdp_channels;
  out << "\r\n";
  if (!fmtp.empty()) out << "a=fmtp:" << pt << ' ' << fmtp << "\r\n";
}

}  // namespace

Result<std::vector<media::CodecKind>> parse_codec_list(const std::vector<std::string>& names) {
  std::vector<media::CodecKind> out;
  for (const auto& name : names) {
    auto it = std::find_if(kCodecs.begin(), kCodecs.end(), [&](const CodecInfo& c) { return iequals(c.name, name); });
    if (it == kCodecs.end()) return Error::invalid("sip.codecs", "unknown codec '" + name + "'");
    if (std::find(out.begin(), out.end(), it->kind) == out.end()) out.push_back(it->kind);
  }
  if (out.empty()) return Error::invalid("sip.codecs", "at least one codec is needed");
  return out;
}

Result<Negotiated> negotiate_offer(const SdpDescription& offer, const NegotiationPolicy& policy) {
  return choose(offer, policy, false);
}

Result<Negotiated> read_answer(const SdpDescription& answer, const NegotiationPolicy& policy) {
  return choose(answer, policy, true);
}

std::string build_answer(const SdpDescription& offer, const Negotiated& chosen, const LocalSdp& local) {
  std::ostringstream out;
  write_origin(out, local);
  for (std::size_t i = 0; i < offer.streams.size(); ++i) {
    const SdpStream& s = offer.streams[i];
    if (i != chosen.stream_index) {
      out << "m=" << s.media << " 0 " << s.proto_name;
      for (const auto& token : s.format_tokens) out << ' ' << token;
      out << "\r\n";
      continue;
    }
    const CodecInfo& c = info(chosen.codec.kind);
    const int te = chosen.codec.telephone_event_pt;
    out << "m=audio " << local.port << ' ' << (chosen.remote_crypto ? "RTP/SAVP" : "RTP/AVP") << ' '
        << chosen.codec.payload_type;
    if (te >= 0) out << ' ' << te;
    out << "\r\n";
    write_rtpmap(out, chosen.codec.payload_type, c, chosen.opus_fmtp);
    if (te >= 0) {
      unsigned long rate = 8000;
      for (const auto& f : s.formats) {
        if (f.payload_type == te) rate = f.clock_rate;
      }
      out << "a=rtpmap:" << te << " telephone-event/" << rate << "\r\na=fmtp:" << te << " 0-16\r\n";
    }
    out << "a=ptime:" << chosen.codec.ptime_ms << "\r\n";
    out << "a=" << direction_attr(chosen.direction) << "\r\n";
    if (chosen.remote_crypto) {
      out << "a=crypto:" << chosen.remote_crypto->tag << ' ' << chosen.remote_crypto->suite << " inline:"
          << local.crypto_key_b64 << "\r\n";
    }
  }
  return out.str();
}

std::string build_offer(const NegotiationPolicy& policy, const LocalSdp& local) {
  std::ostringstream out;
  write_origin(out, local);
  const bool srtp = policy.srtp == SrtpPolicy::kRequired;
  out << "m=audio " << local.port << ' ' << (srtp ? "RTP/SAVP" : "RTP/AVP");
  for (auto kind : policy.codecs) out << ' ' << info(kind).offer_pt;
  out << ' ' << kOfferTelephoneEventPt << "\r\n";
  for (auto kind : policy.codecs) {
    write_rtpmap(out, info(kind).offer_pt, info(kind), kind == media::CodecKind::kOpus ? "useinbandfec=1" : "");
  }
  out << "a=rtpmap:" << kOfferTelephoneEventPt << " telephone-event/8000\r\n"
      << "a=fmtp:" << kOfferTelephoneEventPt << " 0-16\r\n"
      << "a=ptime:" << policy.ptime_ms << "\r\n"
      << "a=sendrecv\r\n";
  if (srtp) out << "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" << local.crypto_key_b64 << "\r\n";
  return out.str();
}

std::string make_srtp_key() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::random_device rd;
  std::array<unsigned char, 30> key{};
  for (auto& b : key) b = static_cast<unsigned char>(rd() & 0xff);
  std::string out;
  for (std::size_t i = 0; i < key.size(); i += 3) {  // 30 is a multiple of 3: no padding
    unsigned v = (unsigned{key[i]} << 16) | (unsigned{key[i + 1]} << 8) | key[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  return out;
}

}  // namespace confpro::sip
