// Call detail records (FEATURES.md P3, issue 16): the rows of the CDR files an operator reconciles its
// billing from. One row per participant leg ("leg") and one per conference session ("conference"), built from
// the connection history and the booking's ledger lines. Pure (no file, no store); thread safety: plain
// functions.
//
// Columns (cdr_header): record_type, session_id, connection_id, booking_id, conference_number, booking_name,
// owner, caller_number, caller_name, access_number, invitee, role, start_utc, end_utc, duration_s,
// end_reason, participants, account, amount, currency, node.
//  - times are ISO 8601 UTC to the second (as the API shows them); duration_s is whole seconds, rounded down;
//  - a leg: its connection; participants empty; amount = what the leg added to the booking's capture on top of
//    the package (its toll-free or dial-out surcharge plus its share of the overage, domain/usage_charge.h,
//    counted up to the booking's end), "0.00" when nothing, in `currency`; both empty when the booking is not
//    billed in the ledger or no plan covers it;
//  - a conference: connection and caller columns empty; participants = its legs; amount = what the booking's
//    ledger captured (decimal, e.g. "5.00"; empty when nothing was captured: not billed, or released unused)
//    in `currency`. A booking opened more than once (a restart) has several sessions: each conference row
//    repeats the booking's capture — reconcile per booking_id.
//  - account: the billing account of the booking ("" when not billed).
// (session_id, connection_id, record_type) identifies a row: a re-export or a crash between the append and
// the store's mark gives the same rows again, which a reconciliation deduplicates on it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace confpro::booking {

// What the booking's ledger says for the CDR: the paying account and the captured amount.
struct CdrBilling {
  std::string account;                   // "" = not billed
  std::optional<std::int64_t> captured;  // minor units; nullopt = no capture line
  std::string currency;                  // of the account
  // Connection id → what the leg cost on top of the package (minor units); legs not in it: no amount.
  std::map<std::int64_t, std::int64_t> leg_costs = {};
};

// From the booking's ledger lines (Store::ledger_of_booking, oldest first): the account of its first line and
// the sum of its "capture" lines (a capture line's amount is negative: it is what the account paid).
// `currency` left empty (the account's, looked up by the caller).
CdrBilling cdr_billing(const std::vector<store::LedgerEntry>& lines);

std::vector<std::string> cdr_header();

// The rows of one closed session: its legs (Store::list_connections), then the conference row.
std::vector<std::vector<std::string>> cdr_rows(const store::SessionWithBooking& session,
                                               const std::vector<store::ParticipantConnection>& legs,
                                               const CdrBilling& billing);

}  // namespace confpro::booking
