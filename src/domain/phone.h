// Phone numbers: the one normaliser (issue 13 item 3, issue 14 item 3). Every number the service compares or
// dials goes through normalize_phone with the operator's rules ([[sip.number_rules]]): the caller and the
// number dialled in an INVITE (sip/), a number dialled out and checked against the dial plan (sip/), an
// invitee's phone matched against a caller (caller_allowed, the PIN guard). A booking keeps its phone numbers
// in the form shown to people (tidy_phone: "+33 1 23" → "+33123"), and they are normalised when compared.
// Pure functions (docs/architecture.md: sip/ may include this header, domain/ being free of I/O).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace confpro::domain {

// One normalisation rule, applied to a number once separators are gone and a leading '+' became "00": if the
// number starts with `strip_prefix`, that prefix is removed and `add_prefix` put in front; the first rule
// that matches wins. Example (France): {"0033", "0"} turns "+33 1 23 45 67 89" into "0123456789".
struct NumberRule {
  std::string strip_prefix;
  std::string add_prefix;
};

// The normal form of a phone number: visual separators (space, tab, - . ( )) removed, a leading '+' written
// "00" (the international prefix), then the first matching rule. Other characters are kept, so a caller's
// name ("alice") stays a name and is never taken for a number.
std::string normalize_phone(std::string_view raw, const std::vector<NumberRule>& rules = {});

// Whether `a` and `b` are the same phone once both are normalised with `rules` (an empty one matches
// nothing):
// "+33 6 12 34 56 78", "0033612345678" and, with {"0033", "0"}, "06 12 34 56 78" are one phone.
bool same_phone(std::string_view a, std::string_view b, const std::vector<NumberRule>& rules = {});

// The form a booking stores and shows a phone number in, as typed but tidied: digits only, a leading '+' kept
// ("+33 (1) 23-45" → "+331 2345" → "+3312345"). Compare numbers with same_phone, not in this form.
std::string tidy_phone(std::string_view typed);

}  // namespace confpro::domain
