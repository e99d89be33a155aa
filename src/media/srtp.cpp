// SRTP with libsrtp2 (srtp.h).
#include "media/srtp.h"

#include <sodium.h>
#include <srtp2/srtp.h>

#include <cstring>

namespace confpro::media {
namespace {

constexpr std::size_t kKeySaltLen = 30;

bool init_library() {
  static const bool ok = srtp_init() == srtp_err_status_ok;
  return ok;
}

SrtpResult map(srtp_err_status_t s) {
  switch (s) {
    case srtp_err_status_ok: return SrtpResult::kOk;
    case srtp_err_status_auth_fail: return SrtpResult::kAuthFailed;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return SrtpResult::kReplay;
    default: return SrtpResult::kError;
  }
}

Result<srtp_t> make_ctx(const std::string& suite, std::string_view key_b64, srtp_ssrc_type_t direction) {
  const auto bar = key_b64.find('|');
  if (bar != std::string_view::npos) key_b64 = key_b64.substr(0, bar);
  auto key = base64_decode(key_b64);
  if (!key || key->size() != kKeySaltLen) return Error::invalid("srtp.key", "must be 30 bytes of base64");
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  if (suite == "AES_CM_128_HMAC_SHA1_80") {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  } else if (suite == "AES_CM_128_HMAC_SHA1_32") {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
  } else {
    return Error::invalid("srtp.suite", "unsupported crypto suite " + suite);
  }
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);  // RFC 4568: SRTCP always uses the 80-bit tag
  policy.ssrc.type = direction;
  policy.key = key->data();
  policy.window_size = 128;
  policy.allow_repeat_tx = 0;
  srtp_t ctx = nullptr;
  if (srtp_create(&ctx, &policy) != srtp_err_status_ok) return Error::internal("srtp_create failed");
  return ctx;
}

}  // namespace

Result<std::unique_ptr<SrtpSession>> SrtpSession::create(const SrtpKeys& keys) {
  if (!init_library()) return Error::internal("srtp_init failed");
  auto tx = make_ctx(keys.suite, keys.local_key_b64, ssrc_any_outbound);
  if (!tx.ok()) return tx.error();
  auto rx = make_ctx(keys.suite, keys.remote_key_b64, ssrc_any_inbound);
  if (!rx.ok()) {
    srtp_dealloc(*tx);
    return rx.error();
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(*tx, *rx));
}

SrtpSession::~SrtpSession() {
  srtp_dealloc(static_cast<srtp_t>(tx_));
  srtp_dealloc(static_cast<srtp_t>(rx_));
}

SrtpResult SrtpSession::protect_rtp(std::span<std::uint8_t> buf, std::size_t& len) {
  if (len + SRTP_MAX_TRAILER_LEN > buf.size() || len < 12) return SrtpResult::kError;
  int n = static_cast<int>(len);
  const auto s = srtp_protect(static_cast<srtp_t>(tx_), buf.data(), &n);
  if (s == srtp_err_status_ok) len = static_cast<std::size_t>(n);
  return map(s);
}

SrtpResult SrtpSession::protect_rtcp(std::span<std::uint8_t> buf, std::size_t& len) {
  if (len + SRTP_MAX_TRAILER_LEN + 4 > buf.size() || len < 8) return SrtpResult::kError;
  int n = static_cast<int>(len);
  const auto s = srtp_protect_rtcp(static_cast<srtp_t>(tx_), buf.data(), &n);
  if (s == srtp_err_status_ok) len = static_cast<std::size_t>(n);
  return map(s);
}

SrtpResult SrtpSession::unprotect_rtp(std::uint8_t* buf, std::size_t& len) {
  if (len < 12 + 4) return SrtpResult::kAuthFailed;
  int n = static_cast<int>(len);
  const auto s = srtp_unprotect(static_cast<srtp_t>(rx_), buf, &n);
  if (s == srtp_err_status_ok) len = static_cast<std::size_t>(n);
  return map(s);
}

SrtpResult SrtpSession::unprotect_rtcp(std::uint8_t* buf, std::size_t& len) {
  if (len < 8 + 4 + 10) return SrtpResult::kAuthFailed;
  int n = static_cast<int>(len);
  const auto s = srtp_unprotect_rtcp(static_cast<srtp_t>(rx_), buf, &n);
  if (s == srtp_err_status_ok) len = static_cast<std::size_t>(n);
  return map(s);
}

// libsodium's codec: padding is optional on input (SDES peers send both), bytes after the text are refused.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::vector<std::uint8_t> out(text.size() * 3 / 4 + 1);
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string make_srtp_key_b64(std::span<const std::uint8_t> random_bytes) {
  return base64_encode(random_bytes.first(std::min(random_bytes.size(), kKeySaltLen)));
}

}  // namespace confpro::media
