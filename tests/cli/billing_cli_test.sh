#!/usr/bin/env bash
# Billing through the CLI (issue 16): accounts with credit, bookings priced by [[billing.plans]] and held
# against the credit, a booking over the credit refused naming what is missing, edits and deletion moving the
# hold, bad amounts refused, and the ledger's sum invariant; `confpro tariff list|quote` (issue 16 item 5).
. "$(dirname "$0")/lib.sh"

cat >> "$CONFIG" <<'TOML'
[[billing.plans]]
name = "small"
max_duration_minutes = 60
max_participants = 5
price = "5.00"
currency = "EUR"
[[billing.plans]]
name = "large"
max_duration_minutes = 240
max_participants = 50
price = "20.00"
currency = "EUR"
overage_per_participant_minute = "0.02"
toll_free_per_minute = "0.10"
TOML

cli user add alice --password 'correct horse battery' >/dev/null
cli user add bob --password 'correct horse battery' >/dev/null
out=$(cli account create acme --owner alice --credit 12.00 --prepaid 2>&1)
check "account create exits 0 ($out)" [ $? -eq 0 ]
acct() { cli account show acme --json | json_field "$1"; }
check "opening balance" [ "$(acct '["balance"]')" = "12.00" ]
check "nothing held" [ "$(acct '["held"]')" = "0.00" ]
check "a taken name is refused" bash -c "! '$CONFPRO' --config '$CONFIG' account create acme --owner bob 2>/dev/null"
for bad in -5 abc 1.234 1e3 99999999999; do
  check "credit '$bad' refused" bash -c "! '$CONFPRO' --config '$CONFIG' account create x$RANDOM --owner alice --credit '$bad' 2>/dev/null"
done
check "unknown owner refused" bash -c "! '$CONFPRO' --config '$CONFIG' account create ghosts --owner nobody 2>/dev/null"

b1=$(cli booking create --name "Small one" --owner alice --duration 30 --max-participants 4 --account acme --json)
check "a booking within the credit is made" [ $? -eq 0 ]
id1=$(echo "$b1" | json_field '["id"]')
check "the small plan's price is held" [ "$(acct '["held"]')" = "5.00" ]
check "available is credit minus held" [ "$(acct '["available"]')" = "7.00" ]

err=$(cli booking create --name "Too big" --owner alice --duration 120 --max-participants 10 --account acme 2>&1)
rc=$?
check "a booking over the credit exits non-zero" [ $rc -ne 0 ]
check "the refusal names the credit ($err)" matches "$err" "insufficient credit on account 'acme': 20.00 needed, 7.00 available \(13.00 missing\)"
check "nothing was booked" bash -c "! '$CONFPRO' --config '$CONFIG' booking show 'Too big' >/dev/null 2>&1"
check "the hold is unchanged" [ "$(acct '["held"]')" = "5.00" ]

err=$(cli booking create --name "Huge" --owner alice --duration 480 --max-participants 4 --account acme 2>&1)
check "no plan covering it is refused ($err)" matches "$err" "no tariff plan covers 480 minutes"
err=$(cli booking create --name "Nowhere" --owner alice --duration 30 --account nosuch 2>&1)
check "an unknown account is refused ($err)" matches "$err" "no billing account named 'nosuch'"
err=$(cli booking create --name "Not mine" --owner bob --duration 30 --max-participants 4 --account acme 2>&1)
check "an account paying for another owner's booking needs an administrator ($err)" [ $? -ne 0 ]

cli account adjust acme 10.00 --reason "top-up by phone" >/dev/null
check "an adjustment credits" [ "$(acct '["balance"]')" = "22.00" ]
check "an adjustment needs a reason" bash -c "! '$CONFPRO' --config '$CONFIG' account adjust acme 1.00 2>/dev/null"
check "an adjustment of an unknown account fails" bash -c "! '$CONFPRO' --config '$CONFIG' account adjust nosuch 1.00 --reason x 2>/dev/null"

cli booking update "$id1" --duration 120 --max-participants 10 >/dev/null
check "a bigger booking holds the bigger plan" [ "$(acct '["held"]')" = "20.00" ]
cli booking update "$id1" --duration 30 --max-participants 4 >/dev/null
check "a smaller one gives the difference back" [ "$(acct '["held"]')" = "5.00" ]
cli booking delete "$id1" >/dev/null
check "deletion releases the hold" [ "$(acct '["held"]')" = "0.00" ]
check "the balance is untouched by holds" [ "$(acct '["balance"]')" = "22.00" ]
check "the ledger is append-only: every step is a line" [ "$(acct '["ledger"].__len__()')" = 6 ]

# The sum invariant: the balance and held shown are the sums of the lines.
sums=$(python3 - "$WORK/confpro.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(*c.execute("SELECT SUM(amount), SUM(hold) FROM ledger").fetchone())
PY
)
check "ledger sums match ($sums)" [ "$sums" = "2200 0" ]
check "the adjustment is audited" bash -c "python3 -c \"import sqlite3; c=sqlite3.connect('$WORK/confpro.db'); exit(0 if c.execute(\\\"SELECT count(*) FROM audit_log WHERE action='account.adjust'\\\").fetchone()[0]==1 else 1)\""

# Tariffs from the configuration: the plans, and the price of a booking by the cheapest plan covering it.
check "tariff list --json gives prices as decimal strings" [ "$(cli tariff list --json | json_field '[1]["price"]')" = "20.00" ]
check "tariff list names each plan ($(cli tariff list))" matches "$(cli tariff list)" "small .*5\.00 EUR"
q=$(cli tariff quote --duration 90 --participants 4 --json)
check "a quote takes the cheapest plan covering it" [ "$(echo "$q" | json_field '["plan"]["name"]')" = "large" ]
check "… at its price" [ "$(echo "$q" | json_field '["price"]')" = "20.00" ]
check "… with its per-minute terms ($(echo "$q" | json_field '["per_minute_terms"]'))" \
  [ "$(echo "$q" | json_field '["per_minute_terms"]')" = "overage 0.02 per participant-minute beyond 12000; toll-free 0.10 per minute" ]
check "a quote in text states the overage rate ($(cli tariff quote --duration 90 --participants 4))" \
  matches "$(cli tariff quote --duration 90 --participants 4)" "plus, at the end, per started minute: overage 0\.02 per participant-minute beyond 12000"
check "a quote in text ($(cli tariff quote --duration 30 --participants 2))" [ "$(cli tariff quote --duration 30 --participants 2)" = "5.00 EUR (plan small)" ]
err=$(cli tariff quote --duration 500 --participants 4 --json 2>/dev/null)
rc=$?
check "no plan covering it exits 2 ($rc)" [ $rc -eq 2 ]
check "… with the reason in the JSON error ($err)" [ "$(echo "$err" | json_field '["error"]["fields"][0]["reason"]')" = "no_plan" ]
check "… and says so" matches "$(cli tariff quote --duration 500 --participants 4 2>&1)" "no tariff plan covers 500 minutes and 4 participants"
check "a quote for a category the policy does not have is refused, naming it" \
  matches "$(cli tariff quote --duration 30 --participants 2 --category nosuch 2>&1)" "no \[\[booking.category\]\] is named 'nosuch'"
check "a quote for an account with no plan of its own is the public price" \
  [ "$(cli tariff quote --duration 30 --participants 2 --account acme)" = "5.00 EUR (plan small)" ]
check "a quote needs both sizes" bash -c "! '$CONFPRO' --config '$CONFIG' tariff quote --duration 30 2>/dev/null"
check "account show --json of an unknown account prints the error shape" \
  [ "$(cli account show nosuch --json 2>/dev/null | json_field '["error"]["code"]')" = "not_found" ]

# A shared account (issue 16 P2): its members pay with it; sharing is audited; hostile members are refused.
out=$(cli account share acme --member bob 2>&1)
check "account share exits 0 ($out)" matches "$out" "acme shared with bob"
check "show --json lists the members" [ "$(acct '["members"][0]')" = "bob" ]
out=$(cli booking create --name "Bob shares" --owner bob --duration 30 --max-participants 4 --account acme 2>&1)
check "a member pays with the shared account ($out)" [ $? -eq 0 ]
check "… which holds its price" [ "$(acct '["held"]')" = "5.00" ]
check "sharing needs --member or --owner-only" bash -c "! '$CONFPRO' --config '$CONFIG' account share acme 2>/dev/null"
err=$(cli account share acme --member "b o b" 2>&1)
check "a username with a space is refused, naming it ($err)" matches "$err" "'b o b': a username has no space"
err=$(cli account share nosuch --member bob 2>&1)
check "sharing an unknown account fails ($err)" matches "$err" "no billing account named 'nosuch'"
cli account share acme --owner-only >/dev/null
out=$(cli booking create --name "Bob again" --owner bob --duration 30 --max-participants 4 --account acme 2>&1)
check "no longer shared: refused ($out)" matches "$out" "not yours or shared with you"
check "sharing is audited" bash -c "python3 -c \"import sqlite3; c=sqlite3.connect('$WORK/confpro.db'); exit(0 if c.execute(\\\"SELECT count(*) FROM audit_log WHERE action='account.members'\\\").fetchone()[0]==2 else 1)\""

finish
