// A throw-away slapd for the node tests and benchmarks (tests/directory/slapd.sh: generated CA, StartTLS,
// fixtures.ldif with alice, bob, carol, dave and nested groups) and the `[directory.ldap]` section pointing at it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasSlapd = (() => { try { execFileSync('test', ['-x', '/usr/sbin/slapd']); return true; } catch { return false; } })();

// slapd.start() → its env (LDAP_PORT, LDAPS_PORT, CA_FILE, WRONG_CA_FILE, DEAD_PORT); kill / restart / stop.
export function slapdServer(prefix) {
  const state = join(mkdtempSync(join(tmpdir(), prefix)), 'slapd');
  const run = (cmd) => execFileSync('sh', ['tests/directory/slapd.sh', cmd, state], { stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    start() {
      run('start');
      return Object.fromEntries(readFileSync(join(state, 'env'), 'utf8').trim().split('\n').map((l) => l.split('=')));
    },
    kill: () => run('kill'),
    restart: () => run('restart'),
    stop: () => run('stop'),
  };
}

// `uris`: the TOML value of `uri`; `more`: extra keys.
export function ldapSection(env, uris, more = '') {
  return `
[directory.ldap]
uri = ${uris}
start_tls = true
ca_file = "${env.CA_FILE}"
bind_dn = "cn=confpro,ou=services,dc=example,dc=org"
bind_password = "service-pw"
base_dn = "dc=example,dc=org"
user_filter = "(&(objectClass=inetOrgPerson)(uid={user}))"
admin_group = "cn=confpro-admins,ou=groups,dc=example,dc=org"
organizer_group = "cn=confpro-organizers,ou=groups,dc=example,dc=org"
${more}`;
}
