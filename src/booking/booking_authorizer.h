// The one booking authorization (FEATURES.md B7), asked by BookingService on every create and update,
// whatever the path (web, API, CLI, phone): an interface so that billing can plug in later — its answer is
// allowed, refused (with a reason) or needs payment (amount, currency, description). The implementation here
// decides from the configured categories (domain/booking_policy.h), counting the requester's bookings in
// force in the store when the category caps them. Until billing exists, BookingService refuses a "needs
// payment" answer with reason "billing_unavailable". Thread safety: implementations are called from any
// thread at once; CategoryAuthorizer only reads its policy and asks the thread-safe store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "domain/booking.h"
#include "domain/booking_policy.h"
#include "store/store.h"

namespace confpro::booking {

// Who asks, for permissions, the booking policy and the audit log.
struct Actor {
  Actor() = default;
  Actor(std::string user, bool is_admin, std::string from, std::vector<std::string> directory_groups = {})
      : username(std::move(user)),
        admin(is_admin),
        source(std::move(from)),
        groups(std::move(directory_groups)) {}

  std::string username = "system";  // a directory username, or "system"
  bool admin = true;                // administrators act on every booking and are not limited by categories
  std::string source = "system";    // "web" | "cli" | "phone" | "api" | "system"
  std::vector<std::string> groups;  // the user's directory group DNs (LDAP; empty for local accounts)
};

domain::Requester requester_of(const Actor& actor);

class BookingAuthorizer {
 public:
  virtual ~BookingAuthorizer() = default;
  // `proposed` is the booking as it would be stored; `current` the stored one for an edit, nullptr for a
  // creation. Errors: only the store's (kUnavailable…), never a refusal (that is a Decision).
  virtual Result<domain::Decision> authorize(const Actor& actor, const domain::Booking& proposed,
                                             const domain::Booking* current) = 0;
};

// The billing coupling's say on a booking paid by `account` when billing is not the built-in ledger
// ([billing] coupling = "radius", billing/radius_billing.h): it replaces the ledger's reservation. The answer
// is the audit line recording the account, to be written with the booking (the coupling's accounting reads
// it back); an error is the refusal, with its reason (e.g. "insufficient_credit", "billing_refused",
// "billing_unavailable"). Thread safety: called from any thread at once; it may block (network).
class AccountAuthorizer {
 public:
  virtual ~AccountAuthorizer() = default;
  virtual Result<store::AuditEntry> authorize_account(const Actor& actor, const std::string& account,
                                                      const domain::Booking& proposed, TimePoint now) = 0;
  // The outbox rows settling a booking with the coupling, written in the same store transaction as its end
  // (`booking` as ended: capture of the actual use, or release when it lapsed unused) or its deletion
  // (`deleted`: `booking` as it was). None by default (RADIUS settles through conference events).
  virtual Result<std::vector<store::OutboxMessage>> settlement(const domain::Booking& /*booking*/,
                                                               bool /*deleted*/, TimePoint /*now*/) {
    return std::vector<store::OutboxMessage>{};
  }
  // Whether `booking` (stored) is paid through this coupling: an account's line is stored with it.
  virtual Result<bool> bills(const domain::Booking& /*booking*/) { return false; }
  // What a change of a booking paid through this coupling writes with the change: when `next` needs more than
  // `current` was authorized for (longer, dearer, another access number), the coupling is asked again and its
  // new line (and any outbox row giving back what it replaces) is written with the change; an error is the
  // refusal of the change. Nothing when it needs no more (a shorter or cheaper booking keeps what it has).
  struct Change {
    std::optional<store::AuditEntry> line;
    std::vector<store::OutboxMessage> outbox;
  };
  virtual Result<Change> reauthorize(const Actor& /*actor*/, const domain::Booking& /*current*/,
                                     const domain::Booking& /*next*/, TimePoint /*now*/) {
    return Change{};
  }
  // authorize_account allowed `line`, but the booking was then not stored (a name taken, the store away): what
  // the coupling reserved outside is given back. Nothing by default.
  virtual void not_stored(const store::AuditEntry& /*line*/, TimePoint /*now*/) {}
};

class CategoryAuthorizer final : public BookingAuthorizer {
 public:
  // Borrows store and clock; they must outlive it.
  CategoryAuthorizer(store::Store& store, const Clock& clock, domain::BookingPolicy policy)
      : store_(store), clock_(clock), policy_(std::move(policy)) {}
  Result<domain::Decision> authorize(const Actor& actor, const domain::Booking& proposed,
                                     const domain::Booking* current) override;

 private:
  store::Store& store_;
  const Clock& clock_;
  const domain::BookingPolicy policy_;
};

}  // namespace confpro::booking
