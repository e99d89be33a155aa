// SDP offer/answer policy (RFC 3264): choose the audio stream and codec of an offer by our preference, build our
// answer (and our offer for dial-out), and read a peer's answer to our offer.
// Thread safety: pure functions on values; callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "media/media_engine.h"
#include "sip/sdp.h"
#include "sip/sip_endpoint.h"

namespace confpro::sip {

struct NegotiationPolicy {
  std::vector<media::CodecKind> codecs = {media::CodecKind::kPcmu, media::CodecKind::kPcma,
                                          media::CodecKind::kG722, media::CodecKind::kOpus};  // best first
  SrtpPolicy srtp = SrtpPolicy::kOptional;
  int ptime_ms = 20;  // used when the peer states none (or an unusable one)
};

// Parses codec names ("PCMU", "PCMA", "G722", "opus"; case-insensitive). Error on an unknown or empty list.
Result<std::vector<media::CodecKind>> parse_codec_list(const std::vector<std::string>& names);

// The outcome of a negotiation: one audio stream of the description.
struct Negotiated {
  std::size_t stream_index = 0;     // which m= line carries the call's audio
  media::CodecSpec codec;           // payload types are the peer's (answer) or ours (offer) as RFC 3264 says
  std::string remote_ip;
  std::uint16_t remote_port = 0;
  media::Direction direction = media::Direction::kSendRecv;  // ours: peer sendonly → recvonly
  SdpProto proto = SdpProto::kRtpAvp;
  std::optional<SdpCrypto> remote_crypto;  // the peer's chosen SDES key (SRTP in use when set)
  std::string opus_fmtp;            // fmtp we send back for opus ("" unless opus)
};

// Chooses from a peer's offer. Errors: kFailedPrecondition "no common codec" (→ 488) when no audio stream is
// usable with our codecs and SRTP policy.
Result<Negotiated> negotiate_offer(const SdpDescription& offer, const NegotiationPolicy& policy);

// Reads the peer's answer to an offer built by build_offer(policy, …): the codec is the first format of the
// answer that we offered. Errors as negotiate_offer.
Result<Negotiated> read_answer(const SdpDescription& answer, const NegotiationPolicy& policy);

// What our side of the SDP shows.
struct LocalSdp {
  std::string address;              // c= and o= address (public / media address)
  std::uint16_t port = 0;           // our RTP port
  std::uint64_t session_id = 0;     // o= session id, stable for the call
  std::uint64_t version = 0;        // o= version; bump it whenever the description changes
  std::string crypto_key_b64;       // our SDES key; used only when SRTP is in use
};

// Our answer: the chosen stream with our port, codec + telephone-event, ptime, direction and crypto; every other
// m= line echoed with port 0 (rejected), in the offer's order.
std::string build_answer(const SdpDescription& offer, const Negotiated& chosen, const LocalSdp& local);

// Our offer (dial-out): one audio stream with every preferred codec and telephone-event/8000; RTP/SAVP with a
// crypto line when the policy requires SRTP.
std::string build_offer(const NegotiationPolicy& policy, const LocalSdp& local);

// A fresh SDES master key+salt (30 random bytes), base64.
std::string make_srtp_key();

}  // namespace confpro::sip
