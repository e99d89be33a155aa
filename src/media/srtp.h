// SRTP/SRTCP (RFC 3711) with libsrtp2 for SDES-keyed sessions (RFC 4568): AES_CM_128_HMAC_SHA1_80 and _32.
// One SrtpSession protects what we send (local key) and unprotects what we receive (remote key, any SSRC), with
// libsrtp's replay protection on receive. No allocation per packet: protect works in place in a buffer with at
// least kSrtpMaxOverhead spare bytes.
// Thread safety: create() may run on any thread; afterwards an instance belongs to one worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "media/media_engine.h"

namespace confpro::media {

inline constexpr std::size_t kSrtpMaxOverhead = 144;  // SRTP_MAX_TRAILER_LEN (+ SRTCP index), generous

enum class SrtpResult { kOk, kAuthFailed, kReplay, kError };

class SrtpSession {
 public:
  // Fails with kInvalidArgument for an unknown suite or a key that is not 30 bytes of base64
  // (lifetime/MKI parameters after '|' are ignored).
  static Result<std::unique_ptr<SrtpSession>> create(const SrtpKeys& keys);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place: `len` bytes of packet in `buf` become the protected packet; `len` updated. `buf.size()` is the
  // capacity and must leave kSrtpMaxOverhead spare.
  SrtpResult protect_rtp(std::span<std::uint8_t> buf, std::size_t& len);
  SrtpResult protect_rtcp(std::span<std::uint8_t> buf, std::size_t& len);
  // In place: on kOk `len` is the plain packet's length.
  SrtpResult unprotect_rtp(std::uint8_t* buf, std::size_t& len);
  SrtpResult unprotect_rtcp(std::uint8_t* buf, std::size_t& len);

 private:
  SrtpSession(void* tx, void* rx) : tx_(tx), rx_(rx) {}
  void* tx_;  // srtp_t
  void* rx_;  // srtp_t
};

// Base64 (RFC 4648) for SDES keys, by libsodium. decode returns nullopt on bad input; its padding is optional.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(std::span<const std::uint8_t> bytes);

// A fresh SDES inline key (30 bytes: 16 key + 14 salt) from `random_bytes`, which must hold 30 bytes.
std::string make_srtp_key_b64(std::span<const std::uint8_t> random_bytes);

}  // namespace confpro::media
