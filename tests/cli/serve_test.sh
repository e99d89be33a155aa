#!/usr/bin/env bash
# `confpro serve` starts on a fresh database, creates the first administrator with a password printed once,
# and stops cleanly on SIGTERM; the second start does not print a password again.
. "$(dirname "$0")/lib.sh"
start() {
  "$CONFPRO" --config "$CONFIG" serve >"$WORK/serve$1.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do grep -q "confpro ready" "$WORK/serve$1.log" && return 0; sleep 0.1; done
  return 1
}
check "first start is ready" start 1 || cat "$WORK/serve1.log"
check "admin password printed" grep -q "password: " "$WORK/serve1.log"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=
check "SIGTERM stops cleanly (exit 0)" [ $rc -eq 0 ]
check "admin exists" bash -c "'$CONFPRO' --config '$CONFIG' user list | grep -q '^admin *admin'"
check "second start is ready" start 2
check "no password printed the second time" bash -c "! grep -q 'password: ' '$WORK/serve2.log'"
kill -INT "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=
check "SIGINT stops cleanly (exit 0)" [ $rc -eq 0 ]
finish
