// JSON ⇄ booking values: the one JSON view of a booking, for the API and for the CLI's --json (app/). Field
// names are those of domain::BookingDraft, the same words the CLI and the validation errors use.
// Thread safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "domain/booking.h"
#include "domain/booking_rules.h"

namespace confpro::web {

// Who reads the JSON. kApi (the REST API, openapi.json's Booking): times in UTC ("…Z"), options as top-level
// fields, updated_at. kCli (`confpro booking … --json`, which scripts rely on): times in `time_zone` with their
// offset, options nested under "options", access_number, personal_pin only when set.
enum class BookingJsonFor { kApi, kCli };

nlohmann::json booking_to_json(const domain::Booking& b, BookingJsonFor reader = BookingJsonFor::kApi,
                               const std::string& time_zone = "UTC");

struct DraftRequest {
  domain::BookingDraft draft;
  std::optional<int> version;  // "version": the version the client edited (optimistic concurrency)
};

// Reads a create (creating = true) or update body strictly: wrong types, unknown fields and unparsable times
// are kInvalidArgument naming each field. Times: ISO 8601 with offset, or "YYYY-MM-DD HH:MM" in `time_zone`.
Result<DraftRequest> draft_from_json(const std::string& body, bool creating, const std::string& time_zone);

}  // namespace confpro::web
