#include "common/result.h"

namespace confpro {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Error Error::invalid_fields(std::vector<FieldError> fields) {
  Error e{ErrorCode::kInvalidArgument, {}, std::move(fields)};
  for (const auto& f : e.fields) {
    if (!e.message.empty()) e.message += "; ";
    e.message += f.field + ": " + f.message;
  }
  return e;
}

}  // namespace confpro
