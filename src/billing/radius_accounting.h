// RADIUS accounting of billed conferences ([billing.radius] accounting = true, FEATURES.md P3, issue 16):
// subscribes to the conference events (conference::ControlApi) and sends, for a conference whose booking is
// paid through RADIUS (radius_billing.h):
//  - Accounting Start when it opens and Stop when it ends (Acct-Session-Id = "<node>-s<session id>", the
//    conference session; Acct-Session-Time = seconds since the opening), User-Name = the account;
//  - per participant leg, Start when the participant is in (or when the conference opens, for those who were
//    waiting) and Stop when they leave (Acct-Session-Id = "<conference session id>-p<participant id>",
//    Acct-Multi-Session-Id = the conference's, Calling-Station-Id = the caller, Called-Station-Id = the
//    access number dialled);
//  - Interim-Update of every running billed conference each `interim_seconds` (0 = none);
//  - live credit enforcement (issue 16 P4, `enforce_credit`): when a billed conference opens, and then every
//    `reauthorize_seconds`, right before its "credit-low" warning is due and right before its granted end, an
//    Interim-Update (so the server's counter includes the time so far) then an Access-Request for its account:
//    the time granted (Session-Timeout / h323-credit-time) from now becomes the conference's granted end
//    (ControlApi::set_granted_until: warned, then ended "credit-exhausted"); an Access-Reject ends it now; no
//    answer leaves the grant as it was (logged). A top-up on the billing system's side shows at the next
//    re-authorization and moves the end later: the conference continues.
// Threads: the subscriber only copies the event into a bounded queue (dropped and counted when full — never
// blocking the control loop); one worker thread of its own looks the booking up in the store, asks the
// control API for the session and sends the (blocking) RADIUS requests. stop() sends Stop for what is still
// open.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "billing/radius_client.h"
#include "common/time.h"
#include "conference/control_api.h"
#include "store/store.h"

namespace confpro::billing {

struct AccountingOptions {
  std::string node_id = "node1";   // prefixes the Acct-Session-Id
  int interim_seconds = 0;         // 0 = no Interim-Update
  std::size_t queue_limit = 1000;  // events waiting beyond this are dropped (and counted)
  bool accounting = true;          // send Accounting-Request (else only the credit checks)
  bool enforce_credit = false;     // re-authorize running conferences and enforce the time granted
  int reauthorize_seconds = 60;    // the longest time between two re-authorizations of a running conference
  std::chrono::seconds credit_warning{60};  // [conference] credit_warning_seconds: re-check before it is due
};

class RadiusAccounting {
 public:
  // Borrows all; they must outlive it. Subscribes and starts its worker.
  RadiusAccounting(RadiusClient& client, store::Store& store, conference::ControlApi& control,
                   const Clock& clock, AccountingOptions options);
  ~RadiusAccounting();
  RadiusAccounting(const RadiusAccounting&) = delete;
  RadiusAccounting& operator=(const RadiusAccounting&) = delete;

  // Unsubscribes, handles what is queued, sends Stop for every open conference and leg; idempotent.
  void stop();

  std::uint64_t sent() const;
  std::uint64_t failed() const;
  std::uint64_t dropped() const;

 private:
  struct Leg {
    std::string caller, access_number;
    TimePoint joined_at{};
    bool started = false;
  };
  struct Billed {
    std::string account;     // "" = this conference is not billed through RADIUS
    std::string called_station;  // the booking's access number, for the re-authorizations
    std::optional<TimePoint> granted_until;  // what the last answer granted (nullopt: no limit)
    std::optional<TimePoint> next_check;     // the next re-authorization (enforce_credit)
    std::string session_id;  // "" until opened
    TimePoint opened_at{};
    TimePoint last_interim{};
    bool stopped = false;  // its Stop was sent (ended); legs may still be leaving
    std::map<std::uint64_t, Leg> legs;
  };

  void on_event(const conference::ConferenceEvent& event);
  void run();
  void handle(const conference::ConferenceEvent& event);
  Billed& lookup(BookingId booking);
  void start_leg(const Billed& c, std::uint64_t participant, Leg& leg);
  void stop_leg(const Billed& c, std::uint64_t participant, const Leg& leg, TimePoint at);
  AccountingRecord leg_record(const Billed& c, std::uint64_t participant, const Leg& leg,
                              AccountingRecord::Status status, TimePoint at) const;
  void send_conference(const Billed& c, AccountingRecord::Status status, TimePoint at);
  void interims(TimePoint now);
  void check_credit(BookingId booking, Billed& c, TimePoint now);
  void credit_checks(TimePoint now);
  void send(const AccountingRecord& record);

  RadiusClient& client_;
  store::Store& store_;
  conference::ControlApi& control_;
  const Clock& clock_;
  const AccountingOptions options_;
  conference::ControlApi::SubscriptionId subscription_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<conference::ConferenceEvent> queue_;
  bool stopping_ = false;
  std::uint64_t sent_ = 0, failed_ = 0, dropped_ = 0;
  std::map<BookingId, Billed> conferences_;  // worker thread only
  std::thread thread_;
};

}  // namespace confpro::billing
