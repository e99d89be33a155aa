// libFuzzer target: SDP from the network through our parsing and negotiation, and our answer back through the
// parser. Invariants checked: no crash/UB (ASan/UBSan), a successful negotiation names an audio stream that
// exists, and every answer we build parses again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/sdp.h"
#include "sip/sdp_negotiate.h"

using namespace confpro;
using namespace confpro::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_sdp(text);
  if (!parsed.ok()) return 0;
  static const SrtpPolicy kPolicies[] = {SrtpPolicy::kOff, SrtpPolicy::kOptional, SrtpPolicy::kRequired};
  for (SrtpPolicy srtp : kPolicies) {
    NegotiationPolicy policy;
    policy.srtp = srtp;
    for (int order = 0; order < 2; ++order) {
      if (order == 1) policy.codecs = {media::CodecKind::kOpus, media::CodecKind::kG722};
      auto offer = negotiate_offer(*parsed, policy);
      if (offer.ok()) {
        if (offer->stream_index >= parsed->streams.size()) std::abort();
        if (parsed->streams[offer->stream_index].media != "audio") std::abort();
        const std::string answer =
            build_answer(*parsed, *offer, LocalSdp{"192.0.2.1", 20000, 1, 1, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk"});
        if (!parse_sdp(answer).ok()) std::abort();
      }
      (void)read_answer(*parsed, policy);
    }
  }
  return 0;
}
