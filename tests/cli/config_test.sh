#!/usr/bin/env bash
# A configuration with an unknown key or a bad value is refused with file:line and reason.
. "$(dirname "$0")/lib.sh"
bad="$WORK/bad.toml"
printf '[server]\ntime_zone = "UTC"\n[conference]\npin_lenght = 6\nmax_participants = 0\n' > "$bad"
err=$("$CONFPRO" --config "$bad" check-config 2>&1); rc=$?
check "check-config refuses (exit 2)" [ $rc -eq 2 ]
check "unknown key with file:line" bash -c "echo \"\$0\" | grep -q '$bad:4: conference.pin_lenght: unknown key'" "$err"
check "bad value with file:line and range" bash -c "echo \"\$0\" | grep -q '$bad:5: conference.max_participants: must be between'" "$err"
err=$("$CONFPRO" --config "$bad" serve 2>&1); rc=$?
check "serve refuses to start (exit 2)" [ $rc -eq 2 ]
check "the example configuration is valid" "$CONFPRO" --config etc/confpro.example.toml check-config
finish
