// ConferenceService: which node hosts a conference (issue 18, ServiceOptions::claims). The first caller of a
// conference not open here is held (its IVR is done, it hears nothing new) while the "confpro-claims" thread
// claims the conference in the store; the answer comes back to the control loop: this node's claim → the
// callers held enter and the room is made; another live node's → each is sent there (hosted_elsewhere). A
// failing store does not keep callers out: the conference is then hosted here (logged), as on a single node.
// Control loop only; the store calls run on claims_.
#include "common/timezone.h"
#include "conference/service_impl.h"

namespace confpro::conference {

namespace {

const Clock& claims_clock(const ServiceOptions& options, const Clock& service_clock) {
  return options.claims.clock ? *options.claims.clock : service_clock;
}

}  // namespace

bool ConferenceService::Impl::may_host(BookingId booking) const {
  return !options_.claims.enabled || claimed_.count(booking) > 0;
}

void ConferenceService::Impl::wait_for_claim(Call& call, const domain::Booking& booking, domain::Role role,
                                             const std::string& name_file) {
  call.awaiting_claim = true;
  auto& waiters = claim_waiters_[booking.id];
  waiters.push_back(ClaimWaiter{call.id, booking, role, name_file});
  if (waiters.size() > 1) return;  // the claim is being asked already
  store::ConferenceClaim wanted{
      booking.number, booking.id, options_.claims.node, options_.claims.sip_uri, {}, {}, {}};
  const Clock& clock = claims_clock(options_, clock_);
  const auto ttl = options_.claims.ttl;
  const BookingId id = booking.id;
  const bool posted = claims_.then<Result<store::ConferenceClaim>>(
      loop_, [this, wanted, &clock, ttl] { return store_.claim_conference(wanted, clock.now(), ttl); },
      [this, id](Result<store::ConferenceClaim> claim) { claim_answered(id, claim); });
  if (!posted) claim_answered(id, Error::unavailable("the node is stopping"));
}

void ConferenceService::Impl::claim_answered(BookingId booking, const Result<store::ConferenceClaim>& claim) {
  auto it = claim_waiters_.find(booking);
  if (it == claim_waiters_.end()) return;
  std::vector<ClaimWaiter> waiters = std::move(it->second);
  claim_waiters_.erase(it);
  const std::string& number = waiters.front().booking.number;
  if (!claim.ok()) {
    log_->warn("conf={} cannot claim the conference ({}): hosted here", number, claim.error().message);
  } else if (claim->node != options_.claims.node) {
    log_->info("conf={} is hosted on node {} ({}): {} caller(s) sent there", number, claim->node,
               claim->sip_uri, waiters.size());
    for (const auto& w : waiters)
      if (Call* call = find_call(w.call); call && call->awaiting_claim) {
        call->awaiting_claim = false;
        hosted_elsewhere(*call, *claim);
      }
    return;
  } else {
    log_->info("conf={} claimed by this node ({}) until {}", number, options_.claims.node,
               format_iso_utc(claim->expires_at));
  }
  claimed_.insert(booking);
  renew_claims_later();
  for (const auto& w : waiters)
    if (Call* call = find_call(w.call); call && call->awaiting_claim) {
      call->awaiting_claim = false;
      enter(*call, w.booking, w.role, w.name_file);
    }
  // Every caller held left meanwhile (or could not enter): nothing is hosted, the claim goes back.
  if (!find_room(booking)) release_claim(booking, number);
}

void ConferenceService::Impl::hosted_elsewhere(Call& call, const store::ConferenceClaim& owner) {
  log_->warn("conf={} call={} refused: the conference is hosted on node {} ({})", owner.number,
             call.id.value(), owner.node, owner.sip_uri);
  run(call.id, call.core.refused({"conference-elsewhere", "goodbye"}, next_tag_++));
}

void ConferenceService::Impl::release_claim(BookingId booking, const std::string& number) {
  if (!options_.claims.enabled || claimed_.erase(booking) == 0) return;
  claims_.post([this, number, node = options_.claims.node] {
    if (auto st = store_.release_claim(number, node); !st)
      log_->warn("conf={} claim not released ({}): it expires by itself", number, st.error().message);
  });
}

void ConferenceService::Impl::renew_claims_later() {
  if (renew_timer_ != 0 || claimed_.empty() || stopping_) return;
  renew_timer_ = loop_.add_timer_after(options_.claims.renew, [this] {
    renew_timer_ = 0;
    if (claimed_.empty() || stopping_) return;  // a stopping node lets its claims expire
    const Clock& clock = claims_clock(options_, clock_);
    claims_.post(
        [this, &clock, node = options_.claims.node, ttl = options_.claims.ttl, held = claimed_.size()] {
          auto renewed = store_.renew_claims(node, clock.now(), ttl);
          if (!renewed) log_->warn("claims of node {} not renewed: {}", node, renewed.error().message);
          // Fewer rows than rooms: a claim was never written (the store failed: hosted here anyway) or
          // expired (the store unreachable for longer than the TTL) and another node may have taken it over;
          // both would then host that conference until one room ends (issue 18 item 4 decides who yields).
          else if (static_cast<std::size_t>(*renewed) < held)
            log_->warn(
                "node {} renewed {} of its {} claims: the others have no claim (another node may host them)",
                node, *renewed, held);
        });
    renew_claims_later();
  });
}

}  // namespace confpro::conference
