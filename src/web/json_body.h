// Strict reading of a JSON request body: the body must be an object; each field is read with its expected type
// and range; every problem is collected (not only the first) and unknown fields are refused, so a typo never
// passes silently. finish() returns one invalid_argument Error naming every bad field.
// Thread safety: a value used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace confpro::web {

class JsonBody {
 public:
  // Parses `text`; an empty body, malformed JSON, or a value that is not an object is an error (field "body").
  static Result<JsonBody> parse(const std::string& text);

  bool has(const std::string& field) const { return json_.contains(field); }

  // Each reader marks `field` as known. Absent: nullopt (an error when `required`). Wrong type or out of range:
  // an error for that field and nullopt.
  std::optional<std::string> string(const std::string& field, bool required = false, std::size_t max_length = 200);
  std::optional<std::int64_t> integer(const std::string& field, std::int64_t min, std::int64_t max,
                                      bool required = false);
  std::optional<bool> boolean(const std::string& field, bool required = false);
  // A nested value of any type (arrays, objects); the caller validates it and may call add_error.
  const nlohmann::json* raw(const std::string& field, bool required = false);

  // `reason`: the rule's stable snake_case code ("required", "range", …) and `params` the values it names.
  void add_error(std::string field, std::string message, std::string reason = {}, ErrorParams params = {});
  // Ok when every field was known and valid; else an invalid_argument Error with all field errors.
  Status finish();

 private:
  explicit JsonBody(nlohmann::json json) : json_(std::move(json)) {}
  const nlohmann::json* lookup(const std::string& field, bool required);

  nlohmann::json json_;
  std::set<std::string> known_;
  std::vector<FieldError> errors_;
};

}  // namespace confpro::web
