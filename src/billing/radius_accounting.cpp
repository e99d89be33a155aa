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
      if (options_.interim_seconds > 0 || options_.enforce_credit)
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
    if (options_.enforce_credit) credit_checks(clock_.now());
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
    billed.called_station = b->access_number;
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
    if (options_.enforce_credit) check_credit(e.booking, c, e.at);
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

void RadiusAccounting::check_credit(BookingId booking, Billed& c, TimePoint now) {
  auto logger = log::get("billing");
  const auto period = std::chrono::seconds(std::max(1, options_.reauthorize_seconds));
  if (now > c.opened_at) {
    c.last_interim = now;
    send_conference(c, AccountingRecord::Status::kInterim, now);
  }
  const AccessAnswer answer = client_.authorize(c.account, c.called_station);
  std::optional<TimePoint> until;
  switch (answer.kind) {
    case AccessAnswer::Kind::kAccept:
      if (auto granted = answer.granted_s()) until = now + std::chrono::seconds(*granted);
      break;
    case AccessAnswer::Kind::kReject:
      logger->warn("conf booking={} account={} refused on re-authorization: {}", booking.value(), c.account,
                   answer.message);
      until = now;
      break;
    case AccessAnswer::Kind::kUnavailable:
      // Fail neither way on a running conference: the last grant stands, asked again soon.
      logger->warn("conf booking={} account={} not re-authorized ({}): the last grant stands", booking.value(),
                   c.account, answer.message);
      c.next_check = now + std::min<std::chrono::seconds>(period, std::chrono::seconds(10));
      return;
  }
  // Each answer counts from its own moment: a few seconds' difference is not a new grant.
  const bool same = until && c.granted_until &&
                    std::chrono::abs(*until - *c.granted_until) <= std::chrono::seconds(2);
  if (!same && until != c.granted_until) {
    auto st = control_.set_granted_until(booking, until, "billing");
    if (st.ok() || st.error().code == ErrorCode::kNotFound) c.granted_until = until;
    if (!st.ok() && st.error().code != ErrorCode::kNotFound)
      logger->warn("conf booking={} grant not applied: {}", booking.value(), st.error().message);
  }
  // Next: the period, or just before the warning is due, or just before the granted end — whichever comes
  // first after now (so a top-up made even after the warning keeps the conference open).
  TimePoint next = now + period;
  if (c.granted_until) {
    const auto margin = std::chrono::seconds(3);
    for (TimePoint t : {*c.granted_until - options_.credit_warning - margin, *c.granted_until - margin})
      if (t > now + std::chrono::seconds(1) && t < next) next = t;
  }
  c.next_check = next;
}

void RadiusAccounting::credit_checks(TimePoint now) {
  for (auto& [id, c] : conferences_) {
    if (c.account.empty() || c.session_id.empty() || c.stopped || !c.next_check || *c.next_check > now) continue;
    check_credit(id, c, now);
  }
}

void RadiusAccounting::send(const AccountingRecord& record) {
  if (!options_.accounting) return;
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
