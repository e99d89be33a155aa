#include "directory/password.h"

#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace confpro::directory {

namespace {

std::atomic<std::uint64_t> verifications{0};

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe can run
  });
}

// A real hash of a random password, computed once, verified against when the user is unknown.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto h = hash_password(generate_password(24));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error::internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  ++verifications;
  std::string h(hash);  // NUL-terminated copy
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void verify_password_dummy(std::string_view password) {
  (void)verify_password(dummy_hash(), password);
}

std::string generate_password(int length) {
  ensure_sodium();
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  constexpr std::uint32_t kSize = sizeof(kAlphabet) - 1;
  std::string out;
  for (int i = 0; i < length; ++i) out += kAlphabet[randombytes_uniform(kSize)];
  return out;
}

std::uint64_t argon2_verifications() { return verifications.load(); }

}  // namespace confpro::directory
