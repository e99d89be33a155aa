#!/usr/bin/env bash
# Bad CLI input gets a precise error naming the field, exit code 2, and writes nothing.
. "$(dirname "$0")/lib.sh"
cli user add alice --password 'correct horse battery' >/dev/null
count() { cli booking list --json | json_field '["total"]'; }
base=(--name "Sync" --owner alice --max-participants 10 --duration 60 --validity-days 7)

expect_refused() { # description expected-text args...
  local d="$1" want="$2"; shift 2
  local err; err=$(cli booking create "$@" 2>&1 >/dev/null); local rc=$?
  if [ $rc -eq 2 ] && echo "$err" | grep -q -- "$want"; then ok "$d"; else not_ok "$d (rc=$rc, got: $err)"; fi
}
expect_refused "missing name" "name" --owner alice --max-participants 10 --duration 60 --validity-days 7
expect_refused "PIN of letters" "user_pin" "${base[@]}" --user-pin abcdef
expect_refused "trivial PIN" "user_pin" "${base[@]}" --user-pin 123456
expect_refused "equal PINs" "moderator_pin" "${base[@]}" --user-pin 482913 --moderator-pin 482913
expect_refused "max participants 0" "max_participants" --name S --owner alice --max-participants 0 --duration 60 --validity-days 7
expect_refused "duration over the limit" "duration_minutes" --name S --owner alice --max-participants 10 --duration 100000 --validity-days 7
expect_refused "unknown owner" "owner" --name S --owner mallory --max-participants 10 --duration 60 --validity-days 7
expect_refused "bad language" "language" "${base[@]}" --language de
expect_refused "bad start" "start" "${base[@]}" --start "next tuesday"
expect_refused "non-numeric participants" "max-participants" --name S --owner alice --max-participants ten --duration 60 --validity-days 7
expect_refused "bad invitee e-mail" "invitees" "${base[@]}" --invitee "not-an-email@"
check "nothing was written" [ "$(count)" = 0 ]
finish
