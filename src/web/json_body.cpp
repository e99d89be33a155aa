#include "web/json_body.h"

#include <set>
#include <vector>

namespace confpro::web {

Result<JsonBody> JsonBody::parse(const std::string& text) {
  if (text.empty()) return Error::invalid("body", "a JSON object is required", "required");
  // Keys seen in each open object: a repeated key is refused (parsers disagree on which one wins).
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto json = nlohmann::json::parse(
      text,
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start) open_objects.emplace_back();
        if (event == E::object_end && !open_objects.empty()) open_objects.pop_back();
        if (event == E::key && !open_objects.empty() && !open_objects.back().insert(parsed.get<std::string>()).second &&
            duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        return true;
      },
      /*allow_exceptions=*/false);
  if (json.is_discarded()) return Error::invalid("body", "malformed JSON", "malformed_json");
  if (!duplicate.empty()) return Error::invalid(duplicate, "appears more than once", "duplicate_key");
  if (!json.is_object())
    return Error::invalid("body", "must be a JSON object", "wrong_type", {{"type", "object"}});
  return JsonBody(std::move(json));
}

const nlohmann::json* JsonBody::lookup(const std::string& field, bool required) {
  known_.insert(field);
  auto it = json_.find(field);
  if (it == json_.end() || it->is_null()) {
    if (required) add_error(field, "is required", "required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonBody::string(const std::string& field, bool required, std::size_t max_length) {
  const auto* v = lookup(field, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    add_error(field, "must be a string", "wrong_type", {{"type", "string"}});
    return std::nullopt;
  }
  auto s = v->get<std::string>();
  if (s.size() > max_length) {
    add_error(field, "must be at most " + std::to_string(max_length) + " characters", "too_long",
              {{"max", static_cast<std::int64_t>(max_length)}});
    return std::nullopt;
  }
  if (required && s.empty()) {
    add_error(field, "is required", "required");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> JsonBody::integer(const std::string& field, std::int64_t min, std::int64_t max,
                                              bool required) {
  const auto* v = lookup(field, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    add_error(field, "must be an integer", "wrong_type", {{"type", "integer"}});
    return std::nullopt;
  }
  std::int64_t n = v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
                       ? INT64_MAX
                       : v->get<std::int64_t>();
  if (n < min || n > max) {
    add_error(field, "must be between " + std::to_string(min) + " and " + std::to_string(max), "range",
              {{"min", min}, {"max", max}});
    return std::nullopt;
  }
  return n;
}

std::optional<bool> JsonBody::boolean(const std::string& field, bool required) {
  const auto* v = lookup(field, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    add_error(field, "must be true or false", "wrong_type", {{"type", "boolean"}});
    return std::nullopt;
  }
  return v->get<bool>();
}

const nlohmann::json* JsonBody::raw(const std::string& field, bool required) { return lookup(field, required); }

void JsonBody::add_error(std::string field, std::string message, std::string reason, ErrorParams params) {
  errors_.emplace_back(std::move(field), std::move(message), std::move(reason), std::move(params));
}

Status JsonBody::finish() {
  for (const auto& [key, value] : json_.items()) {
    if (!known_.contains(key)) add_error(key, "unknown field", "unknown_field");
  }
  if (errors_.empty()) return {};
  return Error::invalid_fields(errors_);
}

}  // namespace confpro::web
