// Issue 14's target: 50 concurrent LDAP logins must not delay a caller's IVR prompts by more than 20 ms.
// `confpro serve` on its defaults is pointed at a throw-away slapd (tests/directory/slapd.sh, StartTLS); a real
// SIP caller (tests/web/call_driver) dials a booking's number again and again and measures what it hears: the
// onset of the first prompt after the 200 OK, and how far the prompt's packets stray from a steady 20 ms pace.
// Each call is measured twice: with nothing else going on, then while 50 clients log in through LDAP in a loop.
// Also reported: the LDAP login latency (p50 / p99) alone and under that load, and the logins per second.
// Not a CTest test (it takes a minute); run `make bench-login`, or:
//   CONFPRO_BINARY=build/src/app/confpro CONFPRO_CALL_DRIVER=build/tests/web/call_driver \
//     node tests/web/bench_login_ivr.mjs [calls per phase] [concurrent logins]
import { loadavg, cpus } from 'node:os';
import { Client, startConfpro } from './harness.mjs';
import { startDriver } from './call_driver.mjs';
import { ldapSection, slapdServer } from './slapd_support.mjs';

const CALLS = Number(process.argv[2] ?? 15);
const CONCURRENT = Number(process.argv[3] ?? 50);
const slapd = slapdServer('confpro-bench-ldap-');

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

const env = slapd.start();
const confpro = await startConfpro({ extra: ldapSection(env, `"ldap://127.0.0.1:${env.LDAP_PORT}"`) });
const driver = startDriver({ nice: -15 });  // the callers' phones are devices of their own
try {
  const admin = new Client(confpro.base);
  if ((await admin.login('admin', confpro.password())).status !== 201) throw new Error('admin login failed');
  const booking = await admin.post('/api/v1/bookings', { name: 'Bench', duration_minutes: 240, max_participants: 50 });
  if (booking.status !== 201) throw new Error(`booking: ${booking.text}`);
  const number = booking.json.number;

  let serial = 0;
  async function measureCalls(n) {
    const onset = [], jitter = [];
    for (let i = 0; i < n; i++) {
      const phone = `c${++serial}`;
      const dial = await driver.send({ op: 'dial', phone, number, port: confpro.sipPort, timeout: 10000 });
      if (!dial.ok) throw new Error(`call not answered: ${JSON.stringify(dial)}`);
      const t = await driver.send({ op: 'prompt_timing', phone, timeout: 10000, span: 1000 });
      if (!t.ok) throw new Error(`no prompt heard: ${JSON.stringify(t)}`);
      onset.push(t.onset_ms);
      jitter.push(t.jitter_ms);
      await driver.send({ op: 'hang_up', phone });
    }
    return { onset, jitter };
  }

  // `workers` clients logging in through LDAP (alice: an organizer, bob: an administrator) until stopped.
  function loginLoad(workers) {
    const latencies = [];
    let failures = 0, stop = false;
    const users = [['alice', 'alice-pw-1'], ['bob', 'bob-pw-22']];
    const loops = Array.from({ length: workers }, async (_, w) => {
      while (!stop) {
        const [user, password] = users[w % users.length];
        const t0 = performance.now();
        const r = await new Client(confpro.base).login(user, password);
        latencies.push(performance.now() - t0);
        if (r.status !== 201) failures++;
      }
    });
    const started = performance.now();
    return {
      async end() {
        stop = true;
        await Promise.all(loops);
        return { latencies, failures, seconds: (performance.now() - started) / 1000 };
      },
    };
  }

  await measureCalls(2);  // warm-up: prompts cached, the LDAP pool connected
  const alone = loginLoad(1);
  await new Promise((r) => setTimeout(r, 3000));
  const single = await alone.end();
  const quiet = await measureCalls(CALLS);
  const load = loginLoad(CONCURRENT);
  await new Promise((r) => setTimeout(r, 500));
  const busy = await measureCalls(CALLS);
  const loaded = await load.end();

  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`LDAP login alone: p50 ${fmt(pct(single.latencies, 50))} ms, p99 ${fmt(pct(single.latencies, 99))} ms (${single.latencies.length} logins)`);
  console.log(`LDAP login, ${CONCURRENT} at once: p50 ${fmt(pct(loaded.latencies, 50))} ms, p99 ${fmt(pct(loaded.latencies, 99))} ms, ` +
    `${(loaded.latencies.length / loaded.seconds).toFixed(0)} logins/s, ${loaded.failures} failed`);
  for (const [name, key] of [['prompt onset after the 200 OK', 'onset'], ['prompt packet pacing (max-min lateness)', 'jitter']]) {
    const a = quiet[key], b = busy[key];
    console.log(`${name}: quiet p50 ${fmt(pct(a, 50))} / max ${fmt(Math.max(...a))} ms; ` +
      `under logins p50 ${fmt(pct(b, 50))} / max ${fmt(Math.max(...b))} ms; ` +
      `added p50 ${fmt(pct(b, 50) - pct(a, 50))} ms, max ${fmt(Math.max(...b) - Math.max(...a))} ms (${CALLS} calls each)`);
  }
  const added = Math.max(pct(busy.onset, 50) - pct(quiet.onset, 50), pct(busy.jitter, 50) - pct(quiet.jitter, 50));
  console.log(`RESULT target=${added <= 20 ? 'met' : 'missed'} added_p50_ms=${fmt(added)}`);
} finally {
  await driver.stop();
  await confpro.stop();
  slapd.stop();
}
