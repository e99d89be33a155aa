// Load figure for the issue: p99 latency of GET /api/v1/bookings with 10,000 bookings, under wrk with 50
// connections. Not a CTest test (it takes minutes and needs `wrk`); run:
//   CONFPRO_WEB_HARNESS=build/tests/web/web_harness node tests/web/bench_bookings.mjs [count]
import { spawnSync } from 'node:child_process';
import { startServer, signedIn } from './harness.mjs';

const count = Number(process.argv[2] ?? 10000);
const server = await startServer({ live: false });
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
  for (const path of ['/api/v1/bookings?limit=50', '/api/v1/bookings?name=booking%2099&limit=50',
    '/api/v1/bookings?owner=alice&sort=name&limit=50&offset=1000']) {
    const wrk = spawnSync('wrk', ['-t2', '-c50', '-d15s', '--latency', '-H', `Cookie: ${root.cookie}`, server.base + path],
      { encoding: 'utf8' });
    console.log(`\n### ${path}\n${wrk.stdout}${wrk.stderr}`);
  }
} finally {
  await server.stop();
}
