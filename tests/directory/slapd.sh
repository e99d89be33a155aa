#!/bin/sh
# A throw-away OpenLDAP server for the tests (Debian slapd + ldap-utils), on 127.0.0.1 only.
#   slapd.sh start STATE_DIR    generate a CA, a server certificate for IP:127.0.0.1 signed by it and a second,
#                               unrelated CA; write slapd.conf into STATE_DIR, start slapd on free ports
#                               (ldap:// with StartTLS, ldaps://), load fixtures.ldif; write STATE_DIR/env:
#                               LDAP_PORT, LDAPS_PORT, CA_FILE, WRONG_CA_FILE, DEAD_PORT (a port nobody listens on)
#   slapd.sh kill STATE_DIR     SIGKILL the server (the database stays)
#   slapd.sh restart STATE_DIR  start it again on the same ports with the same database
#   slapd.sh stop STATE_DIR     kill it and remove STATE_DIR
# Without slapd installed, start exits 77 (the tests skip).
set -eu
cmd="${1:?usage: slapd.sh start|kill|restart|stop STATE_DIR}"
state="${2:?usage: slapd.sh start|kill|restart|stop STATE_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
SLAPD=/usr/sbin/slapd

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

kill_server() {
  [ -f "$state/slapd.pid" ] || return 0
  pid="$(cat "$state/slapd.pid")"
  kill -9 "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  rm -f "$state/slapd.pid"
}

run_server() {
  . "$state/env"
  "$SLAPD" -f "$state/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/" \
    2>"$state/slapd.log"
  i=0
  until ldapsearch -x -H "ldap://127.0.0.1:$LDAP_PORT" -D cn=admin,dc=example,dc=org -w secret -s base \
      -b "" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then echo "slapd.sh: slapd did not start" >&2; cat "$state/slapd.log" >&2; exit 1; fi
    sleep 0.02
  done
}

case "$cmd" in
  start)
    [ -x "$SLAPD" ] || { echo "slapd.sh: $SLAPD not installed (scripts/bootstrap)" >&2; exit 77; }
    kill_server
    rm -rf "$state"
    mkdir -p "$state/db"
    cd "$state"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=Confpro Test CA" 2>/dev/null
    openssl req -x509 $ec -keyout wrong-ca.key -out wrong-ca.pem -days 2 -subj "/CN=Some Other CA" 2>/dev/null
    openssl req $ec -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
      -extfile san.ext 2>/dev/null
    cat > slapd.conf <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/dyngroup.schema
include $here/adlike.schema
modulepath /usr/lib/ldap
moduleload back_mdb.so
moduleload dynlist.so
pidfile $state/slapd.pid
argsfile $state/slapd.args
TLSCACertificateFile $state/ca.pem
TLSCertificateFile $state/server.pem
TLSCertificateKeyFile $state/server.key
database mdb
maxsize 33554432
suffix dc=example,dc=org
rootdn cn=admin,dc=example,dc=org
rootpw secret
directory $state/db
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames*
access to attrs=userPassword by anonymous auth by self write by * none
access to * by users read by * none
CONF
    {
      echo "LDAP_PORT=$(free_port)"
      echo "LDAPS_PORT=$(free_port)"
      echo "DEAD_PORT=$(free_port)"
      echo "CA_FILE=$state/ca.pem"
      echo "WRONG_CA_FILE=$state/wrong-ca.pem"
    } > env
    run_server
    ldapadd -x -H "ldap://127.0.0.1:$LDAP_PORT" -D cn=admin,dc=example,dc=org -w secret \
      -f "$here/fixtures.ldif" >/dev/null
    ;;
  kill) kill_server ;;
  restart) kill_server; run_server ;;
  stop)
    kill_server
    case "$state" in /*) rm -rf "$state" ;; esac
    ;;
  *) echo "usage: slapd.sh start|kill|restart|stop STATE_DIR" >&2; exit 2 ;;
esac
