// The application service for bookings (FEATURES.md B1–B3, B6, N1–N2 enqueueing), used by the CLI, the web
// API and the phone IVR: validates with domain/ rules, generates numbers and PINs, stores through
// store::Store with an audit entry and the notification outbox rows in the same transaction. Nothing is
// written when a call fails.
//
// Permissions: an actor with admin = true may act on any booking; otherwise only on bookings it owns
// (kPermissionDenied), and it may create bookings only for itself.
// Booking policy (B7): every create and update also asks the BookingAuthorizer (booking_authorizer.h; by
// default the configured categories): a refusal is kPermissionDenied with reason "booking_refused",
// "no_category", "too_many_bookings" or "billing_unavailable", or kInvalidArgument with reason
// "category_limit" and every field over its category's limit (params max, category).
// Thread safety: every method may be called from any thread (the store is thread-safe; the random source is
// guarded by a mutex). Calls do database I/O: from the control loop, post them to a worker instead.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "booking/booking_authorizer.h"
#include "common/result.h"
#include "common/strong_id.h"
#include "common/time.h"
#include "domain/booking.h"
#include "domain/booking_rules.h"
#include "domain/limits.h"
#include "domain/random.h"
#include "domain/tariff.h"
#include "store/store.h"
#include "common/thread_annotations.h"

namespace confpro::booking {

struct BookingServiceOptions {
  domain::ConferenceLimits limits;         // validation limits and defaults [ConferenceLimits{}]
  std::string time_zone = "Europe/Paris";  // zone of the times written in notifications [Europe/Paris]
  int generation_attempts = 20;     // new number/PINs tried on a unique conflict of a generated value [20]
  bool notify = true;               // enqueue e-mail/SMS rows on create, e-mails on update and delete [true]
  bool require_known_owner = true;  // the owner must be a user of the store (B1: a directory user) [true]
  domain::BookingPolicy policy;     // booking categories (B7) [none: everybody books freely]
  std::vector<domain::TariffPlan> plans;  // [[billing.plans]]: a booking with an account is priced by them
  // [billing] coupling = "radius" (issue 16 P3): a new booking with an account is decided by the operator's
  // billing system instead of the ledger (its line naming the account is written with the booking) [null: the
  // ledger]. Borrowed; must outlive the service.
  AccountAuthorizer* coupling = nullptr;
  // [notify] unused_notice (issue 15): expire_due writes the unused notice of a booking it ends unused in the
  // same transaction (with its mark, so the housekeeping scan does not write it again) [false].
  bool unused_notice = false;
};

class BookingService {
 public:
  // Borrows store, clock and random; they must outlive the service.
  BookingService(store::Store& store, const Clock& clock, domain::RandomSource& random,
                 BookingServiceOptions options);
  BookingService(const BookingService&) = delete;
  BookingService& operator=(const BookingService&) = delete;

  // Validates (kInvalidArgument with every bad field), fills defaults, generates the number/PINs not given
  // (regenerating on a conflict of a generated value), stores, audits "booking.create" and enqueues: an
  // e-mail to the owner (if the owner has an e-mail; with both PINs), one per invitee with an e-mail (user
  // PIN, or the invitee's personal PIN), and an SMS to the owner's mobile if set. A conflict on a value the
  // caller chose → kAlreadyExists naming "number" or "name". `draft.owner` unset → the actor. A non-admin may
  // create only for itself.
  Result<domain::Booking> create(const domain::BookingDraft& draft, const Actor& actor);

  Result<domain::Booking> get(BookingId id);                         // kNotFound
  Result<domain::Booking> get_by_number(const std::string& number);  // kNotFound
  Result<domain::Booking> get_by_name(const std::string& name);      // kNotFound

  // Applies the set fields of `draft` as far as the effective state allows (domain::field_editable):
  // kFailedPrecondition for a forbidden change or a stale `expected_version`; kAlreadyExists for a taken
  // number/name; kInvalidArgument with every bad field. Audits "booking.update".
  Result<domain::Booking> update(BookingId id, const domain::BookingDraft& draft,
                                 std::optional<int> expected_version, const Actor& actor);

  // Deletes a scheduled or ended booking (an active one must be ended first: kFailedPrecondition). Audited.
  // The booking is marked deleted, not erased (Store::delete_booking): it no longer answers calls, its number
  // and name are free, and its sessions and minutes stay in the history and reports.
  Status remove(BookingId id, const Actor& actor);

  Result<store::Page<domain::Booking>> search(const store::BookingQuery& query);

  // Ends a booking that is not live: scheduled → ended (reason kEndedByAdmin or kExpiredUnused). For an
  // active booking this only records the end in the store (the conference service ends the live session and
  // calls this with its reason). kFailedPrecondition when already ended. Audited.
  Result<domain::Booking> end(BookingId id, domain::EndReason reason, const Actor& actor);

  // The one owner of booking expiry (docs/architecture.md "One owner per rule"), run by the housekeeping thread
  // every few seconds, never on the control loop. Marks every scheduled booking whose validity window lapsed
  // before `now` as ended/expired-unused (ended_at = the end of the window), and every active booking whose
  // duration ran out with nobody connected (no open session: the room ended without ending it, or a crash left
  // it) as ended/duration-elapsed (ended_at = opened_at + duration). Bookings in `live_here` (a room on this
  // node: live, ending, or waiting for its leader) are left to their room, which ends them itself with its
  // closing prompt. Returns how many were marked. Safe to run on several nodes at once (optimistic versions: a
  // booking someone else changed meanwhile is skipped).
  Result<int> expire_due(TimePoint now, const std::set<BookingId>& live_here);

  const BookingServiceOptions& options() const { return options_; }

  // The actor's booking category and the [conference] limits it narrows to (B7): what a form or the phone
  // should offer.
  domain::BookingCategory category_of(const Actor& actor) const;
  // The category name a booking of `owner` made by `actor` is stored with (domain::Booking::category).
  std::string owner_category(const Actor& actor, const std::string& owner) const;
  domain::ConferenceLimits limits_for(const Actor& actor) const;
  // The decision on a booking of the actor's own at its category's defaults (no recording): whether it may
  // book at all before it chooses anything — a refused category, too many bookings in force, payment needed.
  // Errors: the store's only. Used by the form (GET /api/v1/me/policy) and by creation by phone right after
  // the PIN.
  Result<domain::Decision> precheck(const Actor& actor);

  // Replaces the authorizer (billing plugs in here). Call before the service is used from other threads.
  void set_authorizer(std::unique_ptr<BookingAuthorizer> authorizer) { authorizer_ = std::move(authorizer); }

 private:
  std::optional<store::SideEffects::Once> unused_notice(const domain::Booking& ended, TimePoint now);
  Result<domain::Booking> load_for(BookingId id, const Actor& actor);
  Status check_owner(const std::string& owner);
  // `billed`: the booking names a billing account, so a "needs payment" answer is met by its reservation.
  Status authorize(const Actor& actor, const domain::Booking& proposed, const domain::Booking* current,
                   bool billed = false);

  store::Store& store_;
  const Clock& clock_;
  Mutex random_mutex_;
  domain::RandomSource& random_ GUARDED_BY(random_mutex_);
  BookingServiceOptions options_;
  std::unique_ptr<BookingAuthorizer> authorizer_;
};

}  // namespace confpro::booking
