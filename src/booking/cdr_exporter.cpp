#include "booking/cdr_exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

#include "booking/billing.h"
#include "booking/cdr.h"
#include "common/csv.h"
#include "common/log.h"

namespace confpro::booking {

namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const std::string& path) {
  return Error::unavailable("CDR file: cannot " + what + " " + path + ": " + std::strerror(errno));
}

Status sync_folder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open the folder", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("sync the folder", dir);
  return {};
}

std::string utc_stamp(std::time_t t, const char* format) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, format, &tm);
  return out;
}

}  // namespace

Result<std::string> cdr_text(store::Store& store, const std::vector<domain::TariffPlan>& plans,
                             const std::vector<store::SessionWithBooking>& sessions) {
  std::string text;
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> costs;  // booking → its legs' costs
  for (const auto& s : sessions) {
    auto legs = store.list_connections(s.session.id);
    if (!legs) return legs.error();
    auto lines = store.ledger_of_booking(s.session.booking);
    if (!lines) return lines.error();
    CdrBilling billing = cdr_billing(*lines);
    if (!billing.account.empty()) {
      auto account = store.get_account(billing.account);
      if (!account) return account.error();
      billing.currency = account->account.currency;
      const auto booking = s.session.booking.value();
      if (!costs.contains(booking)) {
        auto charge = charge_of(store, plans, s.booking, billing.account, 0,
                                s.session.closed_at.value_or(s.session.opened_at));
        if (!charge) return charge.error();
        auto& leg_costs = costs[booking];
        if (*charge)
          for (const auto& leg : (*charge)->charge.legs) leg_costs[leg.connection] = leg.total();
      }
      billing.leg_costs = costs[booking];
    }
    for (const auto& row : cdr_rows(s, *legs, billing)) text += csv_line(row);
  }
  return text;
}

std::string CdrFile::current_path() const {
  return (fs::path(options_.dir) / "cdr.csv").string();
}

Status CdrFile::rotate_if_due(std::uint64_t size, std::uint64_t adding) {
  if (size == 0) return {};
  const std::string current = current_path();
  const std::time_t now = std::time(nullptr);
  bool due = options_.rotate_bytes > 0 && size + adding > options_.rotate_bytes;
  if (!due && options_.rotate_daily) {
    struct stat st {};
    if (::stat(current.c_str(), &st) != 0) return io_error("read", current);
    due = utc_stamp(st.st_mtime, "%Y%m%d") != utc_stamp(now, "%Y%m%d");
  }
  if (!due) return {};
  const std::string stem = (fs::path(options_.dir) / ("cdr-" + utc_stamp(now, "%Y%m%dT%H%M%SZ"))).string();
  std::string target = stem + ".csv";
  for (int n = 1; fs::exists(target); ++n) target = stem + "-" + std::to_string(n) + ".csv";
  if (::rename(current.c_str(), target.c_str()) != 0) return io_error("rotate", current);
  return sync_folder(options_.dir);
}

Status CdrFile::append(const std::string& rows) {
  if (rows.empty()) return {};
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  const std::string path = current_path();
  struct stat st {};
  std::uint64_t size = ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  if (auto s = rotate_if_due(size, rows.size()); !s) return s;
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return io_error("open", path);
  std::string data;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("read", path);
  }
  if (st.st_size == 0) {
    data = csv_line(cdr_header());
  } else {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') data = "\r\n";  // torn by a crash
  }
  data += rows;
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return io_error("write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return io_error("sync", path);
  if (st.st_size == 0) return sync_folder(options_.dir);  // the new file's name, too
  return {};
}

CdrExporter::CdrExporter(store::Store& store, const Clock& clock, CdrOptions options)
    : store_(store), clock_(clock), options_(options), file_(std::move(options)) {}

void CdrExporter::start() {
  thread_ = std::thread([this] { run(); });
}

void CdrExporter::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> CdrExporter::export_pending() {
  int exported = 0;
  for (;;) {
    store::SessionQuery q;
    q.cdr_pending = true;
    q.descending = false;
    q.limit = 100;
    auto page = store_.list_sessions(q);
    if (!page) return page.error();
    if (page->items.empty()) return exported;
    auto text = cdr_text(store_, options_.plans, page->items);
    if (!text) return text.error();
    if (auto s = file_.append(*text); !s) return s.error();
    std::vector<SessionId> ids;
    for (const auto& s : page->items) ids.push_back(s.session.id);
    if (auto s = store_.mark_cdr_exported(ids, clock_.now()); !s) return s.error();
    exported += static_cast<int>(ids.size());
  }
}

void CdrExporter::run() {
  auto logger = log::get("billing");
  logger->info("CDR files in {} every {} s", options_.dir, options_.interval.count());
  bool failing = false;
  MutexLock lock(mu_);
  while (!stopped_) {
    lock.unlock();
    auto n = export_pending();
    if (!n) {
      logger->error("CDR export failed (retried in {} s): {}", options_.interval.count(), n.error().message);
      failing = true;
    } else {
      if (failing) logger->info("CDR export recovered");
      failing = false;
      if (*n > 0) logger->info("CDR: {} conference session(s) exported to {}", *n, file_.current_path());
    }
    lock.lock();
    const auto until = std::chrono::steady_clock::now() + options_.interval;
    while (!stopped_ && lock.wait_until(cv_, until) == std::cv_status::no_timeout) {
    }
  }
}

}  // namespace confpro::booking
