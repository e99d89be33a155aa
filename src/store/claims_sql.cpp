// Conference claims (store.h, issue 18): which node hosts a live conference. Every call is one or two
// autocommitted statements, each atomic by itself: the primary key decides between concurrent first claimers
// (INSERT … ON CONFLICT DO NOTHING), and a takeover is one UPDATE whose WHERE re-checks the expiry on the row
// it locks (PostgreSQL re-evaluates it on the newest version after waiting for a concurrent updater; SQLite
// has one writer at a time), so two nodes never both take over the same expired claim.
#include "store/sql_store.h"

namespace confpro::store::detail {

namespace {

std::optional<ConferenceClaim> read_claim(soci::session& sql, const std::string& number) {
  ConferenceClaim c;
  std::int64_t booking = 0, claimed = 0, renewed = 0, expires = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT booking_id, node, sip_uri, claimed_at, renewed_at, expires_at FROM conference_claims "
         "WHERE number = :number",
      soci::into(booking, ind), soci::into(c.node), soci::into(c.sip_uri), soci::into(claimed),
      soci::into(renewed), soci::into(expires), soci::use(number, "number");
  if (!sql.got_data() || ind != soci::i_ok) return std::nullopt;
  c.number = number;
  c.booking = BookingId{booking};
  c.claimed_at = from_epoch_ms(claimed);
  c.renewed_at = from_epoch_ms(renewed);
  c.expires_at = from_epoch_ms(expires);
  return c;
}

}  // namespace

Result<ConferenceClaim> SqlStore::claim_conference(const ConferenceClaim& wanted, TimePoint now,
                                                   std::chrono::milliseconds ttl) {
  if (wanted.number.empty() || wanted.node.empty() || ttl.count() <= 0)
    return Error::invalid("claim", "a claim needs a number, a node and a positive ttl");
  return run<ConferenceClaim>("claim conference", [&](soci::session& sql) -> Result<ConferenceClaim> {
    std::int64_t booking = wanted.booking.value(), at = to_epoch_ms(now), until = to_epoch_ms(now + ttl);
    // A claim released between our INSERT and our read is tried again (a few times: each try either gets it
    // or reads a live claim, unless it keeps being released under us).
    for (int attempt = 0; attempt < 5; ++attempt) {
      soci::statement insert =
          (sql.prepare
               << "INSERT INTO conference_claims (number, booking_id, node, sip_uri, claimed_at, "
                  "renewed_at, expires_at) VALUES (:number, :booking, :node, :uri, :at, :at2, :until) "
                  "ON CONFLICT (number) DO NOTHING",
           soci::use(wanted.number, "number"), soci::use(booking, "booking"), soci::use(wanted.node, "node"),
           soci::use(wanted.sip_uri, "uri"), soci::use(at, "at"), soci::use(at, "at2"),
           soci::use(until, "until"));
      insert.execute(true);
      if (insert.get_affected_rows() == 0) {
        // Taken: ours already (renewed, claimed_at kept) or another node's that expired (taken over).
        soci::statement take =
            (sql.prepare
                 << "UPDATE conference_claims SET booking_id = :booking, sip_uri = :uri, "
                    "claimed_at = CASE WHEN node = :node THEN claimed_at ELSE :at END, node = :node2, "
                    "renewed_at = :at2, expires_at = :until "
                    "WHERE number = :number AND (node = :node3 OR expires_at <= :at3)",
             soci::use(booking, "booking"), soci::use(wanted.sip_uri, "uri"), soci::use(wanted.node, "node"),
             soci::use(at, "at"), soci::use(wanted.node, "node2"), soci::use(at, "at2"),
             soci::use(until, "until"), soci::use(wanted.number, "number"), soci::use(wanted.node, "node3"),
             soci::use(at, "at3"));
        take.execute(true);
      }
      if (auto claim = read_claim(sql, wanted.number)) return *claim;
    }
    return Error::unavailable("the claim of " + wanted.number + " kept being released while claimed");
  });
}

Result<int> SqlStore::renew_claims(const std::string& node, TimePoint now, std::chrono::milliseconds ttl) {
  return run<int>("renew claims", [&](soci::session& sql) -> Result<int> {
    std::int64_t at = to_epoch_ms(now), until = to_epoch_ms(now + ttl);
    soci::statement st = (sql.prepare << "UPDATE conference_claims SET renewed_at = :at, expires_at = :until "
                                         "WHERE node = :node",
                          soci::use(at, "at"), soci::use(until, "until"), soci::use(node, "node"));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  });
}

Status SqlStore::release_claim(const std::string& number, const std::string& node) {
  return run_status("release claim", [&](soci::session& sql) -> Status {
    sql << "DELETE FROM conference_claims WHERE number = :number AND node = :node",
        soci::use(number, "number"), soci::use(node, "node");
    return {};
  });
}

Result<std::optional<ConferenceClaim>> SqlStore::conference_owner(const std::string& number, TimePoint now) {
  return run<std::optional<ConferenceClaim>>(
      "conference owner", [&](soci::session& sql) -> Result<std::optional<ConferenceClaim>> {
        auto claim = read_claim(sql, number);
        if (claim && claim->expires_at <= now) return std::optional<ConferenceClaim>{};
        return claim;
      });
}

}  // namespace confpro::store::detail
