# Helpers for the CLI tests: a private data directory, a config on free ports, assertions that say what failed.
set -u
CONFPRO="$1"
WORK="$(mktemp -d /tmp/confpro-cli-XXXXXX)"
trap 'cleanup' EXIT
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill -9 "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CONFIG="$WORK/confpro.toml"
SIP_PORT=$(free_port)
WEB_PORT=$(free_port)
cat > "$CONFIG" <<TOML
[server]
time_zone = "Europe/Paris"
data_dir = "$WORK/var"
[storage]
url = "sqlite://$WORK/confpro.db"
[log]
level = "warn"
[sip]
listen_address = "127.0.0.1"
port = $SIP_PORT
[web]
address = "127.0.0.1"
port = $WEB_PORT
[ivr]
generated_dir = "${TMPDIR:-/tmp}/confpro-test-prompts"
[media]
recordings_dir = "$WORK/var/recordings"
TOML
cp() { command cp "$@"; }
cli() { "$CONFPRO" --config "$CONFIG" "$@"; }
PASS=0
FAIL=0
ok() { PASS=$((PASS+1)); echo "ok   - $1"; }
not_ok() { FAIL=$((FAIL+1)); echo "FAIL - $1"; }
check() { # check "description" command...
  local d="$1"; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}
matches() { [[ "$1" =~ $2 ]]; }  # matches VALUE REGEX
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
