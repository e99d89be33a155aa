// Access numbers for call routing (issue 13 item 3, one owner per rule). The store is their only source: the
// console and the API add, change and delete them there; the configuration's [[access_numbers]] only seed the
// store at start (seed_access_numbers); routing reads AccessNumberTable, the control loop's copy of the
// store's list, loaded at start and reloaded whenever the web tells the conference service that the list
// changed. Thread safety: seed_access_numbers and AccessNumberTable::load on the main thread before calls
// arrive; AccessNumberTable::find on the control loop only; AccessNumberTable::reload from any thread (its
// store read runs on the table's own thread, never on the control loop).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "common/event_loop.h"
#include "common/log.h"
#include "common/result.h"
#include "common/worker_pool.h"
#include "store/store.h"

namespace confpro::conference {

// Inserts each configured number the store does not have. A number already stored is left as it is, so what
// the console changed (label, kind, language) wins over the configuration at every restart; a configured
// number deleted in the console comes back at the next start unless it is also removed from the
// configuration. Returns how many were inserted.
Result<int> seed_access_numbers(store::Store& store, const std::vector<store::AccessNumber>& configured);

class AccessNumberTable {
 public:
  AccessNumberTable(EventLoop& loop, store::Store& store);
  ~AccessNumberTable();  // waits for the reloads' store reads asked before; their answers still reach the
                         // loop
  AccessNumberTable(const AccessNumberTable&) = delete;
  AccessNumberTable& operator=(const AccessNumberTable&) = delete;

  // Reads the store on the calling thread (start-up, before the loop routes calls).
  Status load();
  // Reads the store off the loop, then replaces the table on the loop and calls `done` there with the read's
  // status. Reloads run one at a time in the order asked, so the last one asked reflects the last change.
  void reload(std::function<void(Status)> done = {});

  // Control loop: the access number `dialled` is, or nullptr.
  const store::AccessNumber* find(std::string_view dialled) const;
  std::size_t size() const { return numbers_->size(); }  // control loop

 private:
  EventLoop& loop_;
  store::Store& store_;
  std::shared_ptr<spdlog::logger> log_;
  // Control loop (load(): before it routes). Shared with the reloads' answers posted to the loop, which may
  // outlive the table.
  std::shared_ptr<std::vector<store::AccessNumber>> numbers_ =
      std::make_shared<std::vector<store::AccessNumber>>();
  WorkerPool reads_{1, "access-numbers"};
};

}  // namespace confpro::conference
