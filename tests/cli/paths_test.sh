#!/usr/bin/env bash
# Issue 12 item 1: every relative path of the default configuration is resolved once, at start, against the
# installation folder (here a copy of the layout: <root>/bin/confpro, <root>/etc, <root>/ui/dist), never against
# the working directory: `confpro serve` started from elsewhere serves its console at / and keeps its data under
# <root>/var. A data folder that cannot be created stops the start with the folder and its setting.
. "$(dirname "$0")/lib.sh"
ROOT="$WORK/root"
ELSEWHERE="$WORK/elsewhere"
mkdir -p "$ROOT/bin" "$ROOT/etc" "$ROOT/ui/dist" "$ELSEWHERE"
command cp "$CONFPRO" "$ROOT/bin/confpro"
command cp "$(dirname "$0")/../../etc/confpro.example.toml" "$ROOT/etc/"
echo '<!doctype html><title>console-marker</title>' > "$ROOT/ui/dist/index.html"
# Only the ports and the shared prompt cache differ from the embedded defaults.
ARGS=(--set sip.listen_address=127.0.0.1 --set sip.port=$SIP_PORT --set web.address=127.0.0.1 --set web.port=$WEB_PORT
  --set ivr.generated_dir="${TMPDIR:-/tmp}/confpro-test-prompts" --set log.level=warn)
run() { (cd "$ELSEWHERE" && exec "$ROOT/bin/confpro" "${ARGS[@]}" "$@"); }
check "check-config names the installation folder" bash -c "'$ROOT/bin/confpro' check-config | grep -q 'from $ROOT)'"
(cd "$ELSEWHERE" && exec "$ROOT/bin/confpro" "${ARGS[@]}" serve) >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
ready=1
for _ in $(seq 1 600); do grep -q "confpro ready" "$WORK/serve.log" && { ready=0; break; }; sleep 0.1; done
check "serve from another folder is ready" [ $ready -eq 0 ] || cat "$WORK/serve.log"
page=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$WEB_PORT/")
check "the console is served at / (got: ${page: -3})" matches "$page" 'console-marker.* 200$'
check "the database is <root>/var/confpro.db" [ -f "$ROOT/var/confpro.db" ]
check "names and recordings folders under <root>/var" [ -d "$ROOT/var/names" -a -d "$ROOT/var/recordings" ]
check "nothing written in the working directory" [ -z "$(ls -A "$ELSEWHERE")" ]
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=
check "SIGTERM stops cleanly (exit 0)" [ $rc -eq 0 ]
err=$(run --set server.data_dir=/proc/confpro-cannot-be-here serve 2>&1); rc=$?
check "a data folder that cannot be created stops the start (exit 1)" [ $rc -eq 1 ]
check "the refusal names the folder and its setting" matches "$err" \
  'cannot create the folder /proc/confpro-cannot-be-here \(server.data_dir\)'
finish
