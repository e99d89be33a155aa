#include "billing/radius_accounting.h"

#include <chrono>

#include "billing/radius_billing.h"
#include "common/log.h"

namespace confpro::billing {

namespace {

long long seconds_between(TimePoint from, TimePoint to) {
  return std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(to - from).count());
}

}  // namespace

RadiusAccounting::RadiusAccounting(RadiusClient& client, store::Store& store, conference::ControlApi& control,
                                   const Clock& clock, AccountingOptions options)
    : client_(client), store_(store), control_(control), clock_(clock), options_(std::move(options)) {
  thread_ = std::thread([this] { run(); });
  subscription_ = control_.subscribe([this](const conference::ConferenceEvent& e) { on_event(e); });
}

RadiusAccounting::~RadiusAccounting() {
  stop();
}

void RadiusAccounting::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  control_.unsubscribe(subscription_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t RadiusAccounting::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}
std::uint64_t RadiusAccounting::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}
std::uint64_t RadiusAccounting::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

// On the control loop: copy and return.
void RadiusAccounting::on_event(const conference::ConferenceEvent& event) {
  if (event.type != "opened" && event.type != "joined" && event.type != "left" && event.type != "ended")
    return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= options_.queue_limit) {
      ++dropped_;
      return;
    }
    queue_.push_back(event);
  }
  wake_.notify_one();
}

void RadiusAccounting::run() {
  auto logger = log::get("billing");
  const auto period = std::chrono::seconds(options_.interim_seconds);
  for (;;) {
    std::optional<conference::ConferenceEvent> event;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (options_.interim_seconds > 0)
        wake_.wait_for(lock, std::chrono::seconds(1), ready);
      else
        wake_.wait(lock, ready);
      if (!queue_.empty()) {
        event = std::move(queue_.front());
        queue_.pop_front();
      } else {
        stopping = stopping_;
      }
    }
    if (event) {
      handle(*event);
      continue;
    }
    if (stopping) break;
    if (period.count() > 0) interims(clock_.now());
  }
  // Stopping with conferences still open (shut down): close their accounting now.
  const TimePoint now = clock_.now();
  for (auto& [id, c] : conferences_) {
    if (c.account.empty() || c.session_id.empty()) continue;
    for (auto& [pid, leg] : c.legs)
      if (leg.started) stop_leg(c, pid, leg, now);
    if (!c.stopped) send_conference(c, AccountingRecord::Status::kStop, now);
  }
  conferences_.clear();
  logger->debug("RADIUS accounting stopped");
}

RadiusAccounting::Billed& RadiusAccounting::lookup(BookingId booking) {
  auto it = conferences_.find(booking);
  if (it != conferences_.end()) return it->second;
  Billed billed;
  auto b = store_.get_booking(booking);
  if (b.ok()) {
    auto account = radius_account_of(store_, *b);
    if (account.ok() && *account) billed.account = **account;
    if (!account.ok())
      log::get("billing")->warn("conf={} RADIUS account not read: {}", b->number, account.error().message);
  }
  return conferences_.emplace(booking, std::move(billed)).first->second;
}

void RadiusAccounting::handle(const conference::ConferenceEvent& e) {
  Billed& c = lookup(e.booking);
  if (c.account.empty()) {
    if (e.type == "ended") conferences_.erase(e.booking);
    return;
  }
  if (e.type == "opened" && c.session_id.empty()) {
    c.opened_at = e.at;
    c.last_interim = e.at;
    c.session_id =
        options_.node_id + "-" + std::to_string(e.booking.value()) + "-" +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(e.at.time_since_epoch()).count());
    send_conference(c, AccountingRecord::Status::kStart, e.at);
    for (auto& [pid, leg] : c.legs)
      if (!leg.started) start_leg(c, pid, leg);
  } else if (e.type == "joined" && e.participant) {
    Leg& leg = c.legs[e.participant->id.value()];
    leg.caller = e.participant->caller_number;
    leg.access_number = e.participant->access_number;
    leg.joined_at = e.at;
    if (!c.session_id.empty() && !c.stopped) start_leg(c, e.participant->id.value(), leg);
  } else if (e.type == "left" && e.participant) {
    auto it = c.legs.find(e.participant->id.value());
    if (it != c.legs.end()) {
      if (it->second.started) stop_leg(c, it->first, it->second, e.at);
      c.legs.erase(it);
    }
  } else if (e.type == "ended" && !c.stopped) {
    if (!c.session_id.empty()) send_conference(c, AccountingRecord::Status::kStop, e.at);
    c.stopped = true;  // the legs' "left" follow, each with its own Stop
  }
  if (c.stopped && c.legs.empty()) conferences_.erase(e.booking);
}

void RadiusAccounting::start_leg(const Billed& c, std::uint64_t participant, Leg& leg) {
  if (leg.joined_at < c.opened_at) leg.joined_at = c.opened_at;  // billed from the opening
  leg.started = true;
  send(leg_record(c, participant, leg, AccountingRecord::Status::kStart, leg.joined_at));
}

void RadiusAccounting::stop_leg(const Billed& c, std::uint64_t participant, const Leg& leg, TimePoint at) {
  send(leg_record(c, participant, leg, AccountingRecord::Status::kStop, at));
}

AccountingRecord RadiusAccounting::leg_record(const Billed& c, std::uint64_t participant, const Leg& leg,
                                              AccountingRecord::Status status, TimePoint at) const {
  AccountingRecord r;
  r.status = status;
  r.user_name = c.account;
  r.session_id = c.session_id + "-p" + std::to_string(participant);
  r.multi_session_id = c.session_id;
  r.calling_station = leg.caller;
  r.called_station = leg.access_number;
  r.session_time_s = seconds_between(leg.joined_at, at);
  return r;
}

void RadiusAccounting::send_conference(const Billed& c, AccountingRecord::Status status, TimePoint at) {
  AccountingRecord r;
  r.status = status;
  r.user_name = c.account;
  r.session_id = c.session_id;
  r.multi_session_id = c.session_id;
  r.session_time_s = seconds_between(c.opened_at, at);
  send(r);
}

void RadiusAccounting::interims(TimePoint now) {
  for (auto& [id, c] : conferences_) {
    if (c.account.empty() || c.session_id.empty() || c.stopped) continue;
    if (now - c.last_interim < std::chrono::seconds(options_.interim_seconds)) continue;
    c.last_interim = now;
    send_conference(c, AccountingRecord::Status::kInterim, now);
  }
}

void RadiusAccounting::send(const AccountingRecord& record) {
  auto st = client_.account(record);
  std::lock_guard lock(mutex_);
  if (st.ok()) {
    ++sent_;
  } else {
    ++failed_;
    log::get("billing")->warn("RADIUS accounting: {}", st.error().message);
  }
}

}  // namespace confpro::billing
