// Password and PIN hashing with libsodium argon2id (crypto_pwhash_str, interactive limits).
// Thread safety: free functions; safe from any thread (sodium_init is done once, thread-safely).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace confpro::directory {

// An argon2id hash string ("$argon2id$v=19$m=...") of `password`. Errors: kInternal when out of memory.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash`. Constant-time in the password; false for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// Burns the same time as a verify_password of a real hash: call it when the user is unknown so that an
// unknown user costs the same as a wrong password.
void verify_password_dummy(std::string_view password);

// How many argon2 verifications this process has run (real and dummy); lets tests check that every
// authentication path does the same work.
std::uint64_t argon2_verifications();

// A random password of `length` characters from an unambiguous alphabet (no 0/O, 1/l/I). For the first admin.
std::string generate_password(int length = 16);

}  // namespace confpro::directory
