// Errors as values (STYLE.md #9). Bad input from outside returns a Result with an Error naming the cause and,
// where it applies, the field; broken internal invariants are assertions, not Errors.
// Thread safety: plain values; no shared state.
#pragma once

#include <cassert>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace confpro {

enum class ErrorCode {
  kInvalidArgument,  // bad input: a field out of range, a malformed value (HTTP 400)
  kNotFound,         // the thing named does not exist (404)
  kAlreadyExists,    // unique constraint: number, name, username (409)
  kPermissionDenied, // authenticated but not allowed (403)
  kUnauthenticated,  // who are you? (401)
  kFailedPrecondition,  // the state forbids it: editing an ended booking, joining a locked room (409)
  kResourceExhausted,   // a limit: full, too many calls, throttled (429/503)
  kUnavailable,         // a dependency is down; may succeed later (503)
  kInternal,            // our bug or an unexpected library failure (500)
};

const char* to_string(ErrorCode code);

// The values a rule names (a limit, a length, an allowed list), by name, so that a client can word the rule
// in its own language from the reason code: {"min": 4, "max": 12}, {"allowed": "fr, en"}.
using ErrorParam = std::variant<std::int64_t, std::string>;
using ErrorParams = std::map<std::string, ErrorParam>;

// One problem with one input field, e.g. {"user_pin", "must contain digits only", "digits_only"}: the English
// message for a person, and a stable snake_case reason with its parameters for a program ("" when none
// given).
struct FieldError {
  std::string field;
  std::string message;
  std::string reason;
  ErrorParams params;

  FieldError() = default;
  FieldError(std::string f, std::string m, std::string r = {}, ErrorParams p = {})
      : field(std::move(f)), message(std::move(m)), reason(std::move(r)), params(std::move(p)) {}
  bool operator==(const FieldError&) const = default;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;              // one sentence for a person
  std::vector<FieldError> fields;   // for kInvalidArgument: every bad field, not only the first
  std::string reason;  // a stable snake_case refusal ("outside_dial_plan"); "" when only `code` says it
  ErrorParams params;  // the values `reason` names

  Error() = default;
  Error(ErrorCode c, std::string m, std::vector<FieldError> f = {}, std::string r = {}, ErrorParams p = {})
      : code(c), message(std::move(m)), fields(std::move(f)), reason(std::move(r)), params(std::move(p)) {}

  // This error with a machine-readable reason and its parameters added.
  Error with_reason(std::string r, ErrorParams p = {}) && {
    reason = std::move(r);
    params = std::move(p);
    return std::move(*this);
  }

  static Error invalid(std::string field, std::string message, std::string reason = {},
                       ErrorParams params = {}) {
    Error e{ErrorCode::kInvalidArgument, field + ": " + message, {}};
    e.fields.emplace_back(std::move(field), std::move(message), std::move(reason), std::move(params));
    return e;
  }
  static Error invalid_fields(std::vector<FieldError> fields);
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error exists(std::string message) { return {ErrorCode::kAlreadyExists, std::move(message), {}}; }
  static Error precondition(std::string message) {
    return {ErrorCode::kFailedPrecondition, std::move(message), {}};
  }
  static Error denied(std::string message) { return {ErrorCode::kPermissionDenied, std::move(message), {}}; }
  static Error exhausted(std::string message) {
    return {ErrorCode::kResourceExhausted, std::move(message), {}};
  }
  static Error unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message), {}}; }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
};

// Result<T>: a T or an Error. Result<void> carries only success or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace confpro
