"""A throw-away PostgreSQL cluster for one Python test that runs its own (tests/pg_cluster.sh: e.g. inside the
test's loopback-only network namespace, where the CTest fixture's cluster cannot be reached)."""
import contextlib
import os
import shutil
import subprocess
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg_cluster.sh")


@contextlib.contextmanager
def pg_cluster(script=SCRIPT):
    """Yields the cluster's admin URL (postgresql://postgres@127.0.0.1:PORT/postgres), or None without PostgreSQL's
    server binaries; the cluster is stopped and removed at the end."""
    state = tempfile.mkdtemp(prefix="confpro-pg-state-")
    try:
        subprocess.run(["sh", script, "start", state], check=True)
        url = None
        if os.path.exists(os.path.join(state, "url")):
            with open(os.path.join(state, "url")) as f:
                url = f.read().strip()
        yield url
    finally:
        subprocess.run(["sh", script, "stop", state])
        shutil.rmtree(state, ignore_errors=True)
