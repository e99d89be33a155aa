#include "notify/delivery_worker.h"

#include "common/log.h"

namespace confpro::notify {

namespace {
const char* const kKinds[] = {"email", "sms"};  // the notifications' (their missing sender is reported)
}

DeliveryWorker::DeliveryWorker(store::Store& store, const Clock& clock,
                               std::map<std::string, std::unique_ptr<Sender>> senders, WorkerOptions options,
                               std::uint64_t seed)
    : store_(store),
      clock_(clock),
      senders_(std::move(senders)),
      options_(options),
      limiter_(options.rate_per_second, options.burst),
      rng_(seed != 0
               ? seed
               : static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) |
                     1) {}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

void DeliveryWorker::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
  store_.set_outbox_listener([this] { wake(); });
}

void DeliveryWorker::stop() {
  if (thread_.joinable()) store_.set_outbox_listener({});
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    for (auto& [kind, sender] : senders_) sender->cancel();  // a silent server does not hold up the stop
    thread_.join();
  }
}

void DeliveryWorker::wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

double DeliveryWorker::jitter() {  // xorshift64*: enough to spread retries
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return static_cast<double>((rng_ * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

int DeliveryWorker::run_once() {
  auto logger = log::get("notify");
  int attempted = 0;
  std::set<std::string> kinds(std::begin(kKinds), std::end(kKinds));
  for (const auto& named : senders_) kinds.insert(named.first);  // and any other sender's (e.g. "billing")
  for (const std::string& kind : kinds) {
    auto sender = senders_.find(kind);
    if (sender == senders_.end()) {
      if (reported_unsent_kinds_.contains(kind)) continue;
      auto waiting = store_.due_messages_for(kind, clock_.now(), 1);
      if (waiting.ok() && !waiting->empty()) {
        logger->warn(
            "{} messages wait in the outbox and stay pending: no sender configured for them ([notify.{}])",
            kind, kind == "email" ? "smtp" : "sms");
        reported_unsent_kinds_.insert(kind);
      }
      continue;
    }
    if (auto held = held_until_.find(kind); held != held_until_.end() && clock_.now() < held->second)
      continue;
    auto due = store_.due_messages_for(kind, clock_.now(), options_.batch);
    if (!due.ok()) {
      logger->warn("outbox not read: {}", due.error().message);
      return attempted;
    }
    for (const auto& m : *due) {
      {
        MutexLock lock(mu_);
        if (stopped_) return attempted;
      }
      if (!limiter_.try_take(sender->second->destination(m), std::chrono::steady_clock::now())) break;
      const TimePoint now = clock_.now();
      auto claimed = store_.claim_message(m.id, m.next_attempt_at, now + options_.lease);
      if (!claimed.ok() || !*claimed) continue;  // taken by someone else, or the store is away: next look
      ++attempted;
      SendResult result = sender->second->send(m);
      const TimePoint done = clock_.now();
      Status recorded;
      if (result.ok) {
        recorded = store_.mark_sent(m.id, done);
        logger->info("{} to {} sent (outbox {}, attempt {}): {}", kind, m.recipient, m.id, m.attempts + 1,
                     result.reply);
      } else {
        auto next = result.permanent
                        ? std::nullopt
                        : next_attempt(options_.retry, m.attempts + 1, done, m.created_at, jitter());
        recorded = store_.mark_failed(m.id, result.reply, next.value_or(done), !next.has_value());
        logger->warn("{} to {} not sent (outbox {}, attempt {}): {}{}", kind, m.recipient, m.id,
                     m.attempts + 1, result.reply, next ? "; retried later" : "; given up");
      }
      if (!recorded.ok())  // sent but not recorded: sent again after the lease, with the same Message-ID
        logger->warn("outbox {}: attempt not recorded: {}", m.id, recorded.error().message);
      if (result.server_down) {
        held_until_[kind] = done + options_.retry.first_delay;
        break;
      }
    }
  }
  return attempted;
}

void DeliveryWorker::run() {
  MutexLock lock(mu_);
  while (!stopped_) {
    woken_ = false;
    lock.unlock();
    const int attempted = run_once();
    lock.lock();
    if (attempted >= options_.batch) continue;  // more may be due at once
    const auto until = std::chrono::steady_clock::now() + options_.poll_interval;
    while (!stopped_ && !woken_ && lock.wait_until(cv_, until) == std::cv_status::no_timeout) {
    }
  }
}

}  // namespace confpro::notify
