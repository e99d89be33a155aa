// RADIUS accounting of billed conferences ([billing.radius] accounting = true, FEATURES.md P3, issue 16):
// subscribes to the conference events (conference::ControlApi) and sends, for a conference whose booking is
// paid through RADIUS (radius_billing.h):
//  - Accounting Start when it opens and Stop when it ends (Acct-Session-Id = "<node>-s<session id>", the
//    conference session; Acct-Session-Time = seconds since the opening), User-Name = the account;
//  - per participant leg, Start when the participant is in (or when the conference opens, for those who were
//    waiting) and Stop when they leave (Acct-Session-Id = "<conference session id>-p<participant id>",
//    Acct-Multi-Session-Id = the conference's, Calling-Station-Id = the caller, Called-Station-Id = the
//    access number dialled);
//  - Interim-Update of every running billed conference each `interim_seconds` (0 = none).
// Threads: the subscriber only copies the event into a bounded queue (dropped and counted when full — never
// blocking the control loop); one worker thread of its own looks the booking up in the store, asks the
// control API for the session and sends the (blocking) RADIUS requests. stop() sends Stop for what is still
// open.
#pragma once

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
