// A strict reader over one TOML table: typed getters with range checks, and at the end a list of the keys
// nobody asked for (unknown keys are errors). Every error carries file:line and the full key path.
// Thread safety: single-threaded use during start-up.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace confpro::app {

struct ConfigError {
  std::string file;
  int line = 0;
  std::string key;     // full dotted path, e.g. "sip.port"
  std::string reason;
  std::string to_string() const;  // "file:line: key: reason"
};

class ConfigReader {
 public:
  // `table` may be null (section absent): getters then keep the defaults.
  ConfigReader(const toml::table* table, std::string prefix, std::string file, std::vector<ConfigError>& errors);

  void get(const std::string& key, std::string& out);
  // An optional string: left nullopt when the key is absent.
  void get(const std::string& key, std::optional<std::string>& out);
  void get(const std::string& key, bool& out);
  void get(const std::string& key, double& out, double min, double max);
  void get(const std::string& key, std::vector<std::string>& out);
  template <typename Int>
  void get_int(const std::string& key, Int& out, long long min, long long max) {
    long long v = static_cast<long long>(out);
    if (get_integer(key, v, min, max)) out = static_cast<Int>(v);
  }
  // One of a fixed set of words.
  void get_enum(const std::string& key, std::string& out, const std::vector<std::string>& allowed);
  // A sub-table (nullptr when absent); marks the key used. A non-table value is an error.
  const toml::table* table(const std::string& key);
  // An array of tables (e.g. [[access_numbers]]); marks the key used.
  std::vector<const toml::table*> tables(const std::string& key);
  // A key/value table of strings (e.g. [log.components]).
  void get_map(const std::string& key, std::map<std::string, std::string>& out);

  // A reader for a nested table (a section or one element of an array of tables), sharing file and errors.
  ConfigReader sub(const toml::table* t, const std::string& name) {
    return ConfigReader(t, path(name), file_, errors_);
  }
  std::vector<ConfigError>& errors() { return errors_; }

  // Adds an error at `key` (for cross-field checks).
  void fail(const std::string& key, const std::string& reason);
  // Reports every key of the table that no getter asked for.
  void finish();

  const std::string& prefix() const { return prefix_; }
  const std::string& file() const { return file_; }

 private:
  const toml::node* find(const std::string& key);
  bool get_integer(const std::string& key, long long& out, long long min, long long max);
  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  int line_of(const toml::node* node) const;

  const toml::table* table_;
  std::string prefix_;
  std::string file_;
  std::vector<ConfigError>& errors_;
  std::set<std::string> used_;
};

}  // namespace confpro::app
