// The CDR files (FEATURES.md P3, issue 16): a thread off the call path that, every `interval`, takes the
// closed conference sessions not yet exported (Store SessionQuery::cdr_pending: their booking is settled),
// appends their rows (booking/cdr.h) to `dir`/cdr.csv, fsyncs it, and only then marks them exported in the
// store. A kill -9 at any point gives at most rows written twice (stable ids: reconciliation deduplicates),
// never a row lost. The current file starts with a header line; it is renamed, atomically (rename(2) + fsync
// of the folder), to cdr-YYYYMMDDTHHMMSSZ.csv (UTC, wall clock) when the next batch would take it past
// `rotate_bytes` (0 = no size limit) or, with `rotate_daily`, when it was last written on an earlier UTC day.
// The rows of one session are never split between two files. Thread safety: CdrFile is used by one thread;
// CdrExporter runs its own thread, start/stop from the main one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <string>
#include <thread>

#include "common/result.h"
#include "common/thread_annotations.h"
#include "common/time.h"
#include "domain/tariff.h"
#include "store/store.h"

namespace confpro::booking {

struct CdrOptions {
  std::string dir;                   // folder of the CDR files; "" = no CDR files [""]
  std::chrono::seconds interval{5};  // how often closed sessions are exported [5 s]
  std::uint64_t rotate_bytes = 0;    // rotate before the file would pass this size; 0 = never [0]
  bool rotate_daily = false;         // rotate at the first write of a new UTC day [false]
  std::vector<domain::TariffPlan> plans;  // [[billing.plans]], copied by the config reader: the legs' costs [none]
};

// The CSV text (no header) of `sessions` (closed ones), with their legs and billing read from the store; the
// legs' costs priced by `plans` (booking/billing.h charge_of, as the capture was).
Result<std::string> cdr_text(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                             const std::vector<store::SessionWithBooking>& sessions);

// The current CDR file of a folder.
class CdrFile {
 public:
  explicit CdrFile(CdrOptions options) : options_(std::move(options)) {}
  // Appends `rows` (CSV lines), after the header when the file is new, rotating first when due; returns once
  // the data is on disk (fsync). A line left torn by a crash is ended first, so it cannot swallow the next.
  Status append(const std::string& rows);
  std::string current_path() const;

 private:
  Status rotate_if_due(std::uint64_t size, std::uint64_t adding);
  CdrOptions options_;
};

class CdrExporter {
 public:
  CdrExporter(store::Store& store, const Clock& clock, CdrOptions options);
  ~CdrExporter() { stop(); }
  CdrExporter(const CdrExporter&) = delete;
  CdrExporter& operator=(const CdrExporter&) = delete;

  void start();
  void stop();  // idempotent
  // One pass: every pending session exported (in batches of 100). Returns how many sessions.
  Result<int> export_pending();

 private:
  void run();

  store::Store& store_;
  const Clock& clock_;
  CdrOptions options_;
  CdrFile file_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace confpro::booking
