#!/bin/sh
# A throw-away PostgreSQL cluster for the tests (CTest fixture confpro_pg, tests/CMakeLists.txt).
#   pg_cluster.sh start STATE_DIR   initdb into a fresh temp dir, start it on 127.0.0.1 at a free port (unix
#                                   socket in the temp dir, fsync off, trust auth), write its admin URL to
#                                   STATE_DIR/url (read by the tests through CONFPRO_TEST_PG_URL_FILE).
#   pg_cluster.sh stop STATE_DIR    stop it and remove the temp dir and STATE_DIR/url.
# Without PostgreSQL's server binaries (Debian package postgresql) start writes no URL and exits 0: the
# PostgreSQL tests then skip. Any other failure exits 1 (the tests needing the fixture are then not run).
# initdb refuses to run as root: as root the cluster runs as the `postgres` system user, which gets the temp dir.
# Never touches Debian's own "main" cluster (port 5432). A cluster left by a killed run is stopped by the next start.
set -eu
cmd="${1:?usage: pg_cluster.sh start|stop STATE_DIR}"
state="${2:?usage: pg_cluster.sh start|stop STATE_DIR}"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
done

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_cluster() {
  [ -f "$state/datadir" ] || return 0
  data="$(cat "$state/datadir")"
  if [ -n "$bindir" ] && [ -f "$data/PG_VERSION" ]; then
    as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  case "$data" in */confpro-pg-*) rm -rf "$(dirname "$data")" ;; esac
  rm -f "$state/datadir" "$state/url"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$cmd" in
  stop)
    stop_cluster
    exit 0 ;;
  start) ;;
  *) echo "pg_cluster.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac

mkdir -p "$state"
stop_cluster
if [ -z "$bindir" ]; then
  echo "pg_cluster.sh: no PostgreSQL server binaries under /usr/lib/postgresql: PostgreSQL tests will skip"
  exit 0
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "pg_cluster.sh: running as root and there is no 'postgres' user to run the cluster" >&2
  exit 1
fi

top="$(mktemp -d /tmp/confpro-pg-XXXXXX)"
data="$top/data"
echo "$data" > "$state/datadir"
chmod 755 "$top"
[ "$(id -u)" = 0 ] && chown postgres: "$top"
trap 'echo "pg_cluster.sh: start failed" >&2; cat "$top/log" 2>/dev/null >&2 || true; stop_cluster' EXIT

as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$top/initdb.log" 2>&1 \
  || { cat "$top/initdb.log" >&2; exit 1; }
started=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if as_owner "$bindir/pg_ctl" -D "$data" -l "$top/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $top -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
done
[ -n "$started" ] || exit 1
trap - EXIT
echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$state/url"
echo "pg_cluster.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $data)"
