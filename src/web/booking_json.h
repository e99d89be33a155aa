// JSON ⇄ booking values for the API (internal to web/). Field names are those of domain::BookingDraft, the
// same words the CLI and the validation errors use.
// Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "domain/booking.h"
#include "domain/booking_rules.h"

namespace confpro::web {

nlohmann::json booking_to_json(const domain::Booking& b);

struct DraftRequest {
  domain::BookingDraft draft;
  std::optional<int> version;  // "version": the version the client edited (optimistic concurrency)
};

// Reads a create (creating = true) or update body strictly: wrong types, unknown fields and unparsable times
// are kInvalidArgument naming each field. Times: ISO 8601 with offset, or "YYYY-MM-DD HH:MM" in `time_zone`.
Result<DraftRequest> draft_from_json(const std::string& body, bool creating, const std::string& time_zone);

}  // namespace confpro::web
