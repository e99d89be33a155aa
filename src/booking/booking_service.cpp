#include "booking/booking_service.h"

#include "booking/billing.h"
#include "booking/notification_text.h"

namespace confpro::booking {

namespace {

std::string describe(const domain::Booking& b) {
  return "name=" + b.name + " number=" + b.number + " owner=" + b.owner +
         " state=" + domain::to_string(b.state);
}

store::AuditEntry audit(const Actor& actor, TimePoint now, const char* action, const domain::Booking& b,
                        std::string details) {
  return {0,
          now,
          actor.username,
          action,
          b.id.valid() ? "booking:" + std::to_string(b.id.value()) : "",
          std::move(details),
          actor.source};
}

bool conflict_on(const Error& e, const char* field) {
  if (e.code != ErrorCode::kAlreadyExists) return false;
  for (const auto& f : e.fields) {
    if (f.field == field) return true;
  }
  return false;
}

// The e-mails of a change of a stored booking (notification_text.h), added to `effects`.
Status add_change_notifications(store::Store& store, const std::string& zone, const domain::Booking& before,
                                const domain::Booking& after, BookingChange change, TimePoint now,
                                store::SideEffects& effects) {
  auto owner = store.find_user(after.owner);
  auto numbers = store.list_access_numbers();
  if (!numbers.ok()) return numbers.error();
  effects.outbox = booking_change_notifications(before, after, change, owner.ok() ? &*owner : nullptr,
                                                *numbers, zone, now);
  return {};
}

// [billing] coupling (issue 16 P3): the rows settling `b` with the operator's billing system (commit,
// refund), added to `effects` so that they are written with the change itself.
Status add_coupling_settlement(AccountAuthorizer* coupling, const domain::Booking& b, bool deleted,
                               TimePoint now, store::SideEffects& effects) {
  if (coupling == nullptr) return {};
  auto rows = coupling->settlement(b, deleted, now);
  if (!rows.ok()) return rows.error();
  effects.outbox.insert(effects.outbox.end(), rows->begin(), rows->end());
  return {};
}

}  // namespace

BookingService::BookingService(store::Store& store, const Clock& clock, domain::RandomSource& random,
                               BookingServiceOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      authorizer_(std::make_unique<CategoryAuthorizer>(store, clock, options_.policy)) {}

domain::BookingCategory BookingService::category_of(const Actor& actor) const {
  return domain::category_of(options_.policy, requester_of(actor));
}

std::string BookingService::owner_category(const Actor& actor, const std::string& owner) const {
  // The owner's directory groups are known when the owner books; an administrator booking for someone is
  // matched by the owner's username (and `everyone`, the default category).
  if (actor.username == owner) return category_of(actor).name;
  return category_of(Actor{owner, false, actor.source}).name;
}

domain::ConferenceLimits BookingService::limits_for(const Actor& actor) const {
  if (actor.admin) return options_.limits;  // administrators are not limited by categories
  return domain::limits_for(category_of(actor), options_.limits);
}

Result<domain::Decision> BookingService::precheck(const Actor& actor) {
  const domain::ConferenceLimits limits = limits_for(actor);
  domain::Booking proposed;
  proposed.owner = actor.username;
  proposed.duration_minutes = limits.default_duration_minutes;
  proposed.max_participants = limits.default_max_participants;
  proposed.validity_days = limits.default_validity_days;
  return authorizer_->authorize(actor, proposed, nullptr);
}

Status BookingService::authorize(const Actor& actor, const domain::Booking& proposed,
                                 const domain::Booking* current, bool billed) {
  auto decision = authorizer_->authorize(actor, proposed, current);
  if (!decision.ok()) return decision.error();
  if (decision->allowed()) return {};
  // A billed category's booking is paid by the account it names (its reservation is written with it).
  if (decision->kind == domain::Decision::Kind::kNeedsPayment && billed) return {};
  if (decision->kind == domain::Decision::Kind::kNeedsPayment && !options_.plans.empty())
    return Error::invalid("account", "this booking is billed: name the billing account that pays for it",
                          "account_required");
  return domain::to_error(*decision);
}

Status BookingService::check_owner(const std::string& owner) {
  if (!options_.require_known_owner) return {};
  auto user = store_.find_user(owner);
  if (user.ok()) return {};
  if (user.error().code == ErrorCode::kNotFound)
    return Error::invalid("owner", "no such user '" + owner + "'", "unknown_user", {{"username", owner}});
  return user.error();
}

Result<domain::Booking> BookingService::create(const domain::BookingDraft& input, const Actor& actor) {
  domain::BookingDraft draft = input;
  if (!draft.owner && actor.username != "system") draft.owner = actor.username;
  if (!actor.admin && draft.owner && *draft.owner != actor.username) {
    return Error::denied("organizers may only book conferences for themselves");
  }
  const TimePoint now = clock_.now();
  Result<domain::Booking> built = Error::internal("not built");
  {
    MutexLock lock(random_mutex_);
    built = domain::build_booking(draft, options_.limits, now, random_);
  }
  if (!built.ok()) return built.error();
  domain::Booking booking = std::move(*built);
  if (auto st = check_owner(booking.owner); !st.ok()) return st.error();
  booking.category = owner_category(actor, booking.owner);
  const bool billed = draft.account && !draft.account->empty();
  if (auto st = authorize(actor, booking, nullptr, billed); !st.ok()) return st.error();

  store::SideEffects effects;
  effects.audit.push_back(audit(actor, now, "booking.create", booking, describe(booking)));
  if (billed && options_.coupling != nullptr) {
    // The store names the new booking in the line's empty target.
    auto line = options_.coupling->authorize_account(actor, *draft.account, booking, now);
    if (!line.ok()) return line.error();
    effects.audit.push_back(std::move(*line));
  } else if (billed) {
    auto reserve = reserve_for(store_, options_.plans, booking, *draft.account, actor, now);
    if (!reserve.ok()) return reserve.error();
    effects.ledger = std::move(*reserve);
  }
  // [billing] coupling: what the operator reserved for a booking that is then not stored is given back.
  const auto unless_stored = [&](Result<domain::Booking> r) {
    if (!r.ok() && billed && options_.coupling != nullptr)
      options_.coupling->not_stored(effects.audit.back(), now);
    return r;
  };
  if (options_.notify) {
    auto owner = store_.find_user(booking.owner);
    auto numbers = store_.list_access_numbers();
    if (!numbers.ok()) return unless_stored(numbers.error());
    effects.outbox =
        booking_notifications(booking, owner.ok() ? &*owner : nullptr, *numbers, options_.time_zone, now);
  }
  for (int attempt = 0;; ++attempt) {
    auto stored = store_.insert_booking(booking, effects);
    if (stored.ok() || attempt + 1 >= options_.generation_attempts) return unless_stored(std::move(stored));
    // Only a clash of a value we generated is retried; the caller's own choices are reported.
    if (!conflict_on(stored.error(), "number") || draft.number) return unless_stored(std::move(stored));
    {
      MutexLock lock(random_mutex_);
      booking.number = domain::generate_number(options_.limits, random_);
    }
    if (options_.notify) {
      auto owner = store_.find_user(booking.owner);
      auto numbers = store_.list_access_numbers();
      if (!numbers.ok()) return unless_stored(numbers.error());
      effects.outbox =
          booking_notifications(booking, owner.ok() ? &*owner : nullptr, *numbers, options_.time_zone, now);
    }
    effects.audit.front().details = describe(booking);
  }
}

Result<domain::Booking> BookingService::get(BookingId id) {
  return store_.get_booking(id);
}

Result<domain::Booking> BookingService::get_by_number(const std::string& number) {
  return store_.find_booking_by_number(number);
}

Result<domain::Booking> BookingService::get_by_name(const std::string& name) {
  return store_.find_booking_by_name(name);
}

Result<domain::Booking> BookingService::load_for(BookingId id, const Actor& actor) {
  auto current = store_.get_booking(id);
  if (!current.ok()) return current;
  if (!actor.admin && current->owner != actor.username) {
    return Error::denied("only the owner or an administrator may change this booking");
  }
  return current;
}

Result<domain::Booking> BookingService::update(BookingId id, const domain::BookingDraft& draft,
                                               std::optional<int> expected_version, const Actor& actor) {
  auto current = load_for(id, actor);
  if (!current.ok()) return current;
  if (expected_version && *expected_version != current->version) {
    return Error::precondition("the booking was changed by someone else (version " +
                               std::to_string(current->version) + ", expected " +
                               std::to_string(*expected_version) + "); reload and retry");
  }
  const TimePoint now = clock_.now();
  auto next = domain::apply_update(*current, draft, options_.limits, now);
  if (!next.ok()) return next;
  {
    MutexLock lock(random_mutex_);
    domain::give_personal_pins(*next, options_.limits, random_);
  }
  if (*next == *current) return current;  // nothing changed: nothing written
  if (next->owner != current->owner) {
    if (!actor.admin) return Error::denied("only an administrator may give a booking to another owner");
    if (auto st = check_owner(next->owner); !st.ok()) return st.error();
    next->category = owner_category(actor, next->owner);
  }
  auto holds = store_.holds_of(id);
  if (!holds.ok()) return holds.error();
  auto rehold = rehold_for(options_.plans, *next, *holds, actor, now);
  if (!rehold.ok()) return rehold.error();
  bool coupled = false;  // paid through RADIUS or the operator's API rather than the ledger
  if (options_.coupling != nullptr) {
    auto bills = options_.coupling->bills(*current);
    if (!bills.ok()) return bills.error();
    coupled = *bills;
  }
  if (auto st = authorize(actor, *next, &*current, !holds->empty() || coupled); !st.ok()) return st.error();
  store::SideEffects effects;
  effects.audit.push_back(audit(actor, now, "booking.update", *next, describe(*next)));
  effects.ledger = std::move(*rehold);
  if (options_.notify) {
    auto st = add_change_notifications(store_, options_.time_zone, *current, *next, BookingChange::kUpdated,
                                       now, effects);
    if (!st.ok()) return st.error();
  }
  AccountAuthorizer::Change change;
  if (coupled) {  // last: nothing else can refuse the change once the billing system has been asked
    auto asked = options_.coupling->reauthorize(actor, *current, *next, now);
    if (!asked.ok()) return asked.error();
    change = std::move(*asked);
    if (change.line) effects.audit.push_back(*change.line);
    effects.outbox.insert(effects.outbox.end(), change.outbox.begin(), change.outbox.end());
  }
  auto stored = store_.update_booking(*next, current->version, effects);
  if (!stored.ok() && change.line) options_.coupling->not_stored(*change.line, now);
  return stored;
}

Status BookingService::remove(BookingId id, const Actor& actor) {
  auto current = load_for(id, actor);
  if (!current.ok()) return current.error();
  const TimePoint now = clock_.now();
  if (domain::effective_state(*current, now) == domain::BookingState::kActive) {
    return Error::precondition("the conference is running: end it before deleting the booking");
  }
  store::SideEffects effects;
  effects.audit.push_back(audit(actor, now, "booking.delete", *current, describe(*current)));
  if (options_.notify) {
    auto st = add_change_notifications(store_, options_.time_zone, *current, *current,
                                       BookingChange::kDeleted, now, effects);
    if (!st.ok()) return st.error();
  }
  if (auto st = add_coupling_settlement(options_.coupling, *current, true, now, effects); !st.ok())
    return st.error();
  return store_.delete_booking(id, store::Deletion{now, actor.username}, effects);
}

Result<store::Page<domain::Booking>> BookingService::search(const store::BookingQuery& query) {
  return store_.search_bookings(query);
}

Result<domain::Booking> BookingService::end(BookingId id, domain::EndReason reason, const Actor& actor) {
  auto current = load_for(id, actor);
  if (!current.ok()) return current;
  const TimePoint now = clock_.now();
  domain::Booking next = *current;
  if (auto st = domain::end(next, reason, now); !st.ok()) return st.error();
  store::SideEffects effects;
  effects.audit.push_back(
      audit(actor, now, "booking.end", next, std::string("reason=") + domain::to_string(reason)));
  auto settle = settle_for(store_, options_.plans, next, actor, now);
  if (!settle.ok()) return settle.error();
  effects.ledger = std::move(*settle);
  if (auto st = add_coupling_settlement(options_.coupling, next, false, now, effects); !st.ok())
    return st.error();
  return store_.update_booking(next, current->version, effects);
}

// Issue 15: the unused notice of booking `ended` (just ended by expiry), written with the end and its mark
// (notify/reminders.h's scan writes it otherwise, e.g. for a booking ended elsewhere).
std::optional<store::SideEffects::Once> BookingService::unused_notice(const domain::Booking& ended, TimePoint now) {
  if (!options_.unused_notice || ended.end_reason != domain::EndReason::kExpiredUnused || ended.opened_at ||
      !ended.ended_at || now - *ended.ended_at >= kUnusedNoticeWindow)
    return std::nullopt;
  auto owner = store_.find_user(ended.owner);
  return store::SideEffects::Once{ended.id, "unused", *ended.ended_at,
                                  unused_notifications(ended, owner.ok() ? &*owner : nullptr, options_.time_zone, now)};
}

Result<int> BookingService::expire_due(TimePoint now, const std::set<BookingId>& live_here) {
  int marked = 0;
  const Actor system{"system", true, "system"};
  using Finder = Result<std::vector<domain::Booking>> (store::Store::*)(TimePoint, int);
  const std::pair<Finder, domain::EndReason> kinds[] = {
      {&store::Store::scheduled_lapsed, domain::EndReason::kExpiredUnused},
      {&store::Store::active_overdue, domain::EndReason::kDurationElapsed},
  };
  for (const auto& [find, reason] : kinds) {
    for (int batch = 0; batch < 100; ++batch) {  // bounded: at most 100 batches of 200 per kind and call
      auto due = (store_.*find)(now, 200);
      if (!due.ok()) return due.error();
      int progressed = 0;
      for (auto& b : *due) {
        if (live_here.contains(b.id)) continue;  // its room ends it
        domain::Booking next = b;
        const TimePoint ended_at =
            reason == domain::EndReason::kExpiredUnused ? b.valid_until() : *domain::ends_at(b);
        if (!domain::end(next, reason, ended_at).ok()) continue;
        store::SideEffects effects;
        effects.audit.push_back(
            audit(system, now, "booking.expire", next, std::string("reason=") + domain::to_string(reason)));
        auto settle = settle_for(store_, options_.plans, next, system, now);
        if (!settle.ok()) return settle.error();
        effects.ledger = std::move(*settle);
        if (auto st = add_coupling_settlement(options_.coupling, next, false, now, effects); !st.ok())
          return st.error();
        if (auto notice = unused_notice(next, now)) effects.once.push_back(std::move(*notice));
        auto stored = store_.update_booking(next, b.version, effects);
        if (stored.ok()) {
          ++marked;
        } else if (stored.error().code != ErrorCode::kFailedPrecondition &&
                   stored.error().code != ErrorCode::kNotFound) {
          return stored.error();
        }
        ++progressed;  // ended here, or changed by someone else (another node) meanwhile
      }
      if (progressed == 0) break;
    }
  }
  return marked;
}

}  // namespace confpro::booking
