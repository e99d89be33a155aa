// Load figures for the issue: latency of GET /api/v1/bookings with 10,000 bookings under wrk (2 threads, 50
// connections), for the plain list, a name search, an owner filter and a state + date range. Each query is run
// `runs` times; the summary gives the median p50 / p99 / req/s of the runs and the load average around them.
// `gap`: seconds between runs (0 = back to back: a run starts while the server still tears down the previous
// run's 50 connections — the case that needed concurrent accepts, WebOptions::concurrent_accepts).
// Not a CTest test (it takes minutes and needs `wrk`); run:
//   CONFPRO_WEB_HARNESS=build/tests/web/web_harness node tests/web/bench_bookings.mjs [count] [runs] [seconds] [web threads] [gap]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { startServer, signedIn } from './harness.mjs';

const count = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 3);
const seconds = Number(process.argv[4] ?? 10);
const threads = Number(process.argv[5] ?? 0);  // 0: the server's default
const gap = Number(process.argv[6] ?? 1);
const QUERIES = {
  'plain list': '/api/v1/bookings?limit=50',
  'name search': '/api/v1/bookings?name=booking%2099&limit=50',
  'owner filter': '/api/v1/bookings?owner=alice&sort=name&limit=50&offset=1000',
  'state + dates': '/api/v1/bookings?state=scheduled&from=2031-03-01&to=2031-03-31&limit=50',
};

// wrk --latency prints "50%    1.23ms"; → milliseconds.
function percentile(out, p) {
  const m = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm'));
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer({ live: false, threads });
try {
  const root = await signedIn(server.base, 'root');
  const t0 = Date.now();
  let next = 0;
  const owners = ['alice', 'bob', 'root'];
  async function worker() {
    while (next < count) {
      const i = next++;
      const day = String(1 + (i % 28)).padStart(2, '0');
      const r = await root.post('/api/v1/bookings', {
        name: `Load booking ${i}`, owner: owners[i % 3], valid_from: `2031-0${1 + (i % 9)}-${day} 10:00`, validity_days: 30,
      });
      if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.text}`);
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`created ${count} bookings in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const summary = [];
  for (const [what, path] of Object.entries(QUERIES)) {
    // (retried once: the server may have closed this client's idle keep-alive connection during the last run)
    const one = await root.get(path).catch(() => root.get(path));
    if (one.status !== 200) throw new Error(`${path}: ${one.status} ${one.text}`);
    const p50 = [], p99 = [], rps = [], load = [];
    for (let run = 0; run < runs; ++run) {
      load.push(loadavg()[0]);
      const wrk = spawnSync('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-H', `Cookie: ${root.cookie}`,
        server.base + path], { encoding: 'utf8' });
      p50.push(percentile(wrk.stdout, 50));
      p99.push(percentile(wrk.stdout, 99));
      rps.push(Number(wrk.stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1]));
      if (/Non-2xx|Socket errors/.test(wrk.stdout)) console.log(`### ${path}\n${wrk.stdout}`);
      await new Promise((r) => setTimeout(r, gap * 1000));
    }
    summary.push({ query: what, total: one.json.total, p50_ms: median(p50), p99_ms: median(p99), req_s: median(rps),
      runs_p99: p99.join(' / '), load1: load.map((l) => l.toFixed(1)).join(' / ') });
  }
  console.table(summary);
} finally {
  await server.stop();
}
