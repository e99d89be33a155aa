# Sourced by the RADIUS tests (issue 16): a throw-away FreeRADIUS 3 (Debian `freeradius`) on 127.0.0.1 with a
# generated configuration in $1 — accounts in SQLite (radcheck/radreply), a `noresetcounter` sqlcounter that
# answers Session-Timeout = Max-All-Session minus the time already accounted, and accounting stored both in
# SQLite (radacct) and in a detail file. Ports: auth $RADIUS_PORT, accounting $RADIUS_PORT+1.
# radius_setup DIR PORT SECRET; radius_sql "SQL". Run it with: freeradius -f -d DIR -n radiusd -l DIR/log/radius.log
radius_setup() {
  RADIUS_DIR="$1" RADIUS_PORT="$2" RADIUS_SECRET="$3"
  local d="$RADIUS_DIR" conf=/etc/freeradius/3.0/mods-config
  mkdir -p "$d/log" "$d/run" "$d/radacct"
  sqlite3 "$d/radius.db" < "$conf/sql/main/sqlite/schema.sql"
  cat > "$d/radiusd.conf" <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
datarootdir = /usr/share
dictdir = /usr/share/freeradius
logdir = $d/log
raddbdir = $d
radacctdir = $d/radacct
name = radiusd
confdir = $d
modconfdir = $conf
run_dir = $d/run
libdir = /usr/lib/freeradius
pidfile = $d/run/radiusd.pid
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {
  destination = files
  file = $d/log/radius.log
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 2
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 2
  max_requests_per_server = 0
}
client localhost {
  ipaddr = 127.0.0.1
  secret = $RADIUS_SECRET
}
modules {
  sql {
    dialect = "sqlite"
    driver = "rlm_sql_sqlite"
    sqlite {
      filename = "$d/radius.db"
      busy_timeout = 2000
    }
    radius_db = "radius"
    acct_table1 = "radacct"
    acct_table2 = "radacct"
    postauth_table = "radpostauth"
    authcheck_table = "radcheck"
    groupcheck_table = "radgroupcheck"
    authreply_table = "radreply"
    groupreply_table = "radgroupreply"
    usergroup_table = "radusergroup"
    delete_stale_sessions = yes
    pool {
      start = 1
      min = 1
      max = 2
      spare = 1
      uses = 0
      retry_delay = 1
      lifetime = 0
      idle_timeout = 0
    }
    client_table = "nas"
    group_attribute = "SQL-Group"
    \$INCLUDE $conf/sql/main/sqlite/queries.conf
  }
  sqlcounter noresetcounter {
    sql_module_instance = sql
    dialect = sqlite
    counter_name = Max-All-Session-Time
    check_name = Max-All-Session
    reply_name = Session-Timeout
    key = User-Name
    reset = never
    \$INCLUDE $conf/sql/counter/sqlite/noresetcounter.conf
  }
  detail {
    filename = $d/radacct/detail
    permissions = 0600
    header = "%t"
  }
  expr {
  }
  always reject {
    rcode = reject
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = $RADIUS_PORT
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = $((RADIUS_PORT + 1))
  }
  authorize {
    sql
    if (notfound) {
      reject
    }
    noresetcounter
    if (!control:Auth-Type) {
      update control {
        Auth-Type := Accept
      }
    }
  }
  authenticate {
  }
  preacct {
    update request {
      Acct-Unique-Session-Id := "%{md5:%{User-Name},%{Acct-Session-Id},%{NAS-Identifier}}"
    }
  }
  accounting {
    sql
    detail
  }
  post-auth {
  }
}
CONF
}
radius_sql() { sqlite3 "$RADIUS_DIR/radius.db" "$1"; }
