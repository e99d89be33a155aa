#!/bin/sh
# deploy/systemd/confpro.service passes `systemd-analyze verify` (issue 18 fixed point). The shipped unit runs
# /usr/bin/confpro, which verify requires to exist: the copy checked here runs the confpro just built instead,
# nothing else changed. Any complaint about the unit fails the test (other units installed on this machine may
# print their own warnings: those are not ours and are ignored).
# usage: systemd_verify.sh UNIT CONFPRO
set -eu
unit=$1
confpro=$2
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze missing (scripts/bootstrap test installs systemd)"; exit 1; }
[ -x "$confpro" ] || { echo "no confpro at $confpro"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
grep -q '^ExecStart=/usr/bin/confpro ' "$unit" || { echo "ExecStart does not run /usr/bin/confpro"; exit 1; }
sed "s#^ExecStart=/usr/bin/confpro #ExecStart=$confpro #" "$unit" > "$dir/confpro.service"
status=0
out=$(systemd-analyze verify --man=no "$dir/confpro.service" 2>&1) || status=$?
ours=$(printf '%s\n' "$out" | grep 'confpro' || true)
if [ "$status" -ne 0 ] || [ -n "$ours" ]; then
  echo "systemd-analyze verify failed (exit $status):"
  printf '%s\n' "$out"
  exit 1
fi
# The options the issue asks for are there (verify accepts a unit without them).
for want in '^Type=notify$' '^ExecReload=/bin/kill -HUP \$MAINPID$' '^NoNewPrivileges=yes$' '^ProtectSystem=strict$' \
  '^ProtectHome=yes$' '^PrivateTmp=yes$' '^ReadWritePaths=/var/lib/confpro' '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$' \
  '^AmbientCapabilities=CAP_NET_BIND_SERVICE$' '^RestrictAddressFamilies=' '^SystemCallFilter=@system-service$'; do
  grep -q "$want" "$unit" || { echo "confpro.service lacks /$want/"; exit 1; }
done
echo "ok: systemd-analyze verify passes ($(systemd-analyze --version | head -1))"
