#include "booking/coupled_create.h"

#include "common/log.h"

namespace confpro::booking {

Result<domain::Booking> create_coupled(BookingService& bookings, AccountAuthorizer* coupling,
                                       store::Store* store, domain::BookingDraft draft, const Actor& actor,
                                       TimePoint now) {
  if (!coupling || !store || !draft.account || draft.account->empty()) return bookings.create(draft, actor);
  const domain::ConferenceLimits limits = bookings.limits_for(actor);
  domain::Booking proposed;
  proposed.name = draft.name.value_or("");
  proposed.owner = draft.owner.value_or(actor.username);
  proposed.duration_minutes = draft.duration_minutes.value_or(limits.default_duration_minutes);
  proposed.max_participants = draft.max_participants.value_or(limits.default_max_participants);
  proposed.access_number = draft.access_number.value_or("");
  auto line = coupling->authorize_account(actor, *draft.account, proposed, now);
  if (!line.ok()) return line.error();
  const std::string account = *draft.account;
  draft.account.reset();  // paid through the coupling, not the ledger
  auto created = bookings.create(draft, actor);
  if (!created.ok()) return created;
  line->target = "booking:" + std::to_string(created->id.value());
  if (auto st = store->append_audit(*line); !st.ok())  // booked: its conference will not be accounted
    log::get("billing")->error("booking {} paid by '{}': the account was not recorded: {}", created->number,
                               account, st.error().message);
  return created;
}

}  // namespace confpro::booking
