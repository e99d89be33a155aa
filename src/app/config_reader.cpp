#include "app/config_reader.h"

namespace confpro::app {

std::string ConfigError::to_string() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": " + key + ": " + reason;
  return s;
}

ConfigReader::ConfigReader(const toml::table* table, std::string prefix, std::string file,
                           std::vector<ConfigError>& errors)
    : table_(table), prefix_(std::move(prefix)), file_(std::move(file)), errors_(errors) {}

int ConfigReader::line_of(const toml::node* node) const {
  if (node && node->source().begin) return static_cast<int>(node->source().begin.line);
  if (table_ && table_->source().begin) return static_cast<int>(table_->source().begin.line);
  return 0;
}

const toml::node* ConfigReader::find(const std::string& key) {
  used_.insert(key);
  if (!table_) return nullptr;
  return table_->get(key);
}

void ConfigReader::fail(const std::string& key, const std::string& reason) {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  errors_.push_back({file_, line_of(node), path(key), reason});
}

void ConfigReader::get(const std::string& key, std::string& out) {
  const toml::node* n = find(key);
  if (!n) return;
  if (auto v = n->value<std::string>(); v && n->is_string()) {
    out = *v;
  } else {
    errors_.push_back({file_, line_of(n), path(key), "expected a string"});
  }
}

void ConfigReader::get(const std::string& key, std::optional<std::string>& out) {
  const toml::node* n = find(key);
  if (!n) return;
  if (!n->is_string()) {
    errors_.push_back({file_, line_of(n), path(key), "expected a string"});
    return;
  }
  out = *n->value<std::string>();
}

void ConfigReader::get(const std::string& key, bool& out) {
  const toml::node* n = find(key);
  if (!n) return;
  if (n->is_boolean()) {
    out = *n->value<bool>();
  } else {
    errors_.push_back({file_, line_of(n), path(key), "expected true or false"});
  }
}

bool ConfigReader::get_integer(const std::string& key, long long& out, long long min, long long max) {
  const toml::node* n = find(key);
  if (!n) return false;
  if (!n->is_integer()) {
    errors_.push_back({file_, line_of(n), path(key), "expected an integer"});
    return false;
  }
  long long v = *n->value<long long>();
  if (v < min || v > max) {
    errors_.push_back({file_, line_of(n), path(key),
                       "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                           std::to_string(v)});
    return false;
  }
  out = v;
  return true;
}

void ConfigReader::get(const std::string& key, double& out, double min, double max) {
  const toml::node* n = find(key);
  if (!n) return;
  if (!n->is_number()) {
    errors_.push_back({file_, line_of(n), path(key), "expected a number"});
    return;
  }
  double v = *n->value<double>();
  if (v < min || v > max) {
    errors_.push_back({file_, line_of(n), path(key),
                       "must be between " + std::to_string(min) + " and " + std::to_string(max)});
    return;
  }
  out = v;
}

void ConfigReader::get(const std::string& key, std::vector<std::string>& out) {
  const toml::node* n = find(key);
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr) {
    errors_.push_back({file_, line_of(n), path(key), "expected an array of strings"});
    return;
  }
  std::vector<std::string> values;
  for (const auto& item : *arr) {
    if (!item.is_string()) {
      errors_.push_back({file_, line_of(&item), path(key), "expected an array of strings"});
      return;
    }
    values.push_back(*item.value<std::string>());
  }
  out = std::move(values);
}

void ConfigReader::get_enum(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
  std::string v = out;
  const size_t before = errors_.size();
  get(key, v);
  if (errors_.size() != before) return;
  for (const auto& a : allowed) {
    if (a == v) {
      out = v;
      return;
    }
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
  fail(key, "must be one of " + list + ", got '" + v + "'");
}

const toml::table* ConfigReader::table(const std::string& key) {
  const toml::node* n = find(key);
  if (!n) return nullptr;
  if (!n->is_table()) {
    errors_.push_back({file_, line_of(n), path(key), "expected a table"});
    return nullptr;
  }
  return n->as_table();
}

std::vector<const toml::table*> ConfigReader::tables(const std::string& key) {
  std::vector<const toml::table*> out;
  const toml::node* n = find(key);
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) {
    errors_.push_back({file_, line_of(n), path(key), "expected an array of tables ([[" + path(key) + "]])"});
    return out;
  }
  for (const auto& item : *arr) {
    if (!item.is_table()) {
      errors_.push_back({file_, line_of(&item), path(key), "expected an array of tables"});
      continue;
    }
    out.push_back(item.as_table());
  }
  return out;
}

void ConfigReader::get_map(const std::string& key, std::map<std::string, std::string>& out) {
  const toml::table* t = table(key);
  if (!t) return;
  for (const auto& [k, v] : *t) {
    if (!v.is_string()) {
      errors_.push_back({file_, line_of(&v), path(key) + "." + std::string(k.str()), "expected a string"});
      continue;
    }
    out[std::string(k.str())] = *v.value<std::string>();
  }
}

void ConfigReader::finish() {
  if (!table_) return;
  for (const auto& [k, v] : *table_) {
    std::string key(k.str());
    if (!used_.count(key)) errors_.push_back({file_, line_of(&v), path(key), "unknown key"});
  }
}

}  // namespace confpro::app
