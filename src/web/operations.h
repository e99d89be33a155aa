// What the operations endpoints (/healthz, /readyz, /metrics; issue 18 item 6) read: a probe app/ implements
// over the control loop, the SIP endpoint, the media engine and the store (web/ sees none of them), and the
// metric families it returns, written out in the Prometheus text exposition format (version 0.0.4) by
// prometheus_text().
// Thread safety: OperationsProbe's methods may be called from any thread at once and must not block on the
// control loop (they read what a sampler measured last); prometheus_text() is a pure function.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace confpro::web {

struct MetricSample {
  std::vector<std::pair<std::string, std::string>>
      labels;  // name → value, in this order; values escaped on output
  double value = 0;
};

// One metric: `name` ([a-zA-Z_:][a-zA-Z0-9_:]*, counters ending in _total), its help text (one line) and
// type.
struct MetricFamily {
  std::string name;
  std::string help;
  std::string type;  // "gauge" | "counter"
  std::vector<MetricSample> samples;
};

// "# HELP name help\n# TYPE name type\nname{l="v"} value\n…" for each family in order. Help text escapes `\`
// and newlines, label values `\`, `"` and newlines; values are integers when integral, else shortest
// round-trip decimals; NaN and infinities as Prometheus writes them (NaN, +Inf, -Inf).
std::string prometheus_text(const std::vector<MetricFamily>& families);

struct ProbeStatus {
  bool alive = true;      // the control loop ran a posted no-op lately (it is not stuck)
  bool draining = false;  // SIGTERM received: taking no new calls while the live ones finish
  bool store_ok = true;   // the store answered its last query
};

class OperationsProbe {
 public:
  virtual ~OperationsProbe() = default;
  virtual ProbeStatus status() = 0;
  virtual std::vector<MetricFamily> metrics() = 0;
};

}  // namespace confpro::web
