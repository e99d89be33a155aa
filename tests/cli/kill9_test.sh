#!/usr/bin/env bash
# A kill -9 right after `booking create` returned loses nothing: the row is durable before the CLI answers.
# The server runs meanwhile on the same database (WAL), and is killed -9 too.
. "$(dirname "$0")/lib.sh"
cli user add alice --password 'correct horse battery' >/dev/null
"$CONFPRO" --config "$CONFIG" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
sleep 1
numbers=()
for i in 1 2 3 4 5; do
  n=$(cli booking create --name "Durable $i" --owner alice --max-participants 3 --duration 30 --validity-days 1 --json | json_field '["number"]')
  numbers+=("$n")
done
kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
# Also kill a CLI process the instant it prints its answer.
( cli booking create --name "Durable 6" --owner alice --max-participants 3 --duration 30 --validity-days 1 --json > "$WORK/six.json" ) &
pid=$!
while [ ! -s "$WORK/six.json" ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done
kill -9 $pid 2>/dev/null
n6=$(json_field '["number"]' < "$WORK/six.json" 2>/dev/null)
[ -n "$n6" ] && numbers+=("$n6")
for n in "${numbers[@]}"; do
  check "booking $n survived kill -9" bash -c "'$CONFPRO' --config '$CONFIG' booking show $n >/dev/null"
done
check "six bookings answered" [ "${#numbers[@]}" -eq 6 ]
finish
