#!/bin/sh
# Runs the command in a private network namespace with only loopback up, when allowed (root), so the test's
# server, callers and browser cannot reach or be reached from anything but 127.0.0.0/8; otherwise runs it as it
# is (free ports on 127.0.0.1).
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
  exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "note: no private network namespace (not root?); using free ports on 127.0.0.1" >&2
exec "$@"
