#include "booking/booking_authorizer.h"

namespace confpro::booking {

domain::Requester requester_of(const Actor& actor) {
  return {actor.username, actor.groups, actor.admin};
}

Result<domain::Decision> CategoryAuthorizer::authorize(const Actor& actor, const domain::Booking& proposed,
                                                       const domain::Booking* current) {
  const domain::Requester who = requester_of(actor);
  domain::PolicyContext context;
  // The store is asked only when the answer depends on it: a creation by a user whose category caps it.
  if (!current && !who.admin && domain::category_of(policy_, who).max_active_bookings > 0) {
    auto in_force = store_.count_bookings_in_force(proposed.owner, clock_.now());
    if (!in_force.ok()) return in_force.error();
    context.bookings_in_force = *in_force;
  }
  return domain::decide(policy_, who, proposed, current, context);
}

}  // namespace confpro::booking
