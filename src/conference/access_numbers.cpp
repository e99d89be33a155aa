#include "conference/access_numbers.h"

#include <algorithm>
#include <set>

namespace confpro::conference {

Result<int> seed_access_numbers(store::Store& store, const std::vector<store::AccessNumber>& configured) {
  auto stored = store.list_access_numbers();
  if (!stored) return stored.error();
  std::set<std::string> have;
  for (const auto& n : *stored) have.insert(n.number);
  int inserted = 0;
  for (const auto& n : configured) {
    if (!have.insert(n.number).second) continue;
    if (auto st = store.upsert_access_number(n); !st) return st.error();
    ++inserted;
  }
  return inserted;
}

AccessNumberTable::AccessNumberTable(EventLoop& loop, store::Store& store)
    : loop_(loop), store_(store), log_(log::get("conference")) {}

AccessNumberTable::~AccessNumberTable() {
  reads_.stop();
}

Status AccessNumberTable::load() {
  auto numbers = store_.list_access_numbers();
  if (!numbers) return numbers.error();
  *numbers_ = std::move(*numbers);
  log_->info("{} access number(s) routed", numbers_->size());
  return {};
}

void AccessNumberTable::reload(std::function<void(Status)> done) {
  using Read = Result<std::vector<store::AccessNumber>>;
  const bool queued = reads_.then<Read>(
      loop_, [&store = store_] { return store.list_access_numbers(); },
      // `Read&&`: the read is moved from where the pool left it, not through a by-value copy (which GCC 12 at -O2
      // in a unity batch reported as a false -Wmaybe-uninitialized of the variant).
      [table = numbers_, log = log_, done](Read&& read) {
        if (read) {
          *table = std::move(*read);
          log->info("access numbers reloaded: {} routed", table->size());
        } else {
          log->warn("access numbers not reloaded (the previous ones stay routed): {}", read.error().message);
        }
        if (done) done(read ? Status{} : Status(read.error()));
      });
  if (!queued && done) done(Error::unavailable("the service is stopping"));
}

const store::AccessNumber* AccessNumberTable::find(std::string_view dialled) const {
  auto it = std::find_if(numbers_->begin(), numbers_->end(),
                         [dialled](const store::AccessNumber& n) { return n.number == dialled; });
  return it == numbers_->end() ? nullptr : &*it;
}

}  // namespace confpro::conference
