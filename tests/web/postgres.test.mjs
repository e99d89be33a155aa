// The console on PostgreSQL and name search on both back-ends, through the API over real HTTP.
// - `confpro serve` itself on a fresh PostgreSQL database: log in, book, the booking survives kill -9.
// - Name search whatever the case and accents ("élise", "ELISE" find "Élise") on SQLite and on PostgreSQL.
// PostgreSQL comes from the ctest fixture pg.cluster_start (tests/pg_cluster.sh) or CONFPRO_TEST_PG_URL; the
// PostgreSQL cases skip only when neither exists (no PostgreSQL server binaries installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, freshPgDatabase, pgAdminUrl, signedIn, startConfpro, startServer } from './harness.mjs';

const noPg = pgAdminUrl() ? false : 'no PostgreSQL server for the tests (install postgresql, run through ctest)';

test('confpro serve on PostgreSQL: a booking made through the API survives kill -9', { skip: noPg }, async () => {
  const confpro = await startConfpro({ storageUrl: freshPgDatabase() });
  try {
    const password = confpro.password();
    assert.ok(password, 'no password printed: ' + confpro.output());
    const admin = new Client(confpro.base);
    assert.equal((await admin.login('admin', password)).status, 201);
    const made = await admin.post('/api/v1/bookings', { name: 'Comité Élargi', duration_minutes: 45 });
    assert.equal(made.status, 201, made.text);

    await confpro.crashAndRestart();
    const again = new Client(confpro.base);
    assert.equal((await again.login('admin', password)).status, 201, 'the administrator survives too');
    const got = await again.get(`/api/v1/bookings/${made.json.id}`);
    assert.equal(got.status, 200, got.text);
    for (const k of ['name', 'number', 'user_pin', 'moderator_pin', 'duration_minutes', 'version']) {
      assert.equal(got.json[k], made.json[k], k);
    }
    const found = await again.get('/api/v1/bookings?name=' + encodeURIComponent('comité élargi'));
    assert.deepEqual(found.json.items.map((b) => b.id), [made.json.id]);
    assert.equal((await again.del(`/api/v1/bookings/${made.json.id}`)).status, 204);
  } finally {
    await confpro.stop();
  }
});

for (const backend of ['sqlite', 'postgresql']) {
  test(`name search ignores case and accents (${backend})`, { skip: backend === 'postgresql' && noPg }, async () => {
    const server = await startServer({ live: false, dbUrl: backend === 'postgresql' ? freshPgDatabase() : null });
    try {
      const alice = await signedIn(server.base, 'alice');
      const ids = {};
      for (const name of ['Élise Dupont', "Réunion d'ÉQUIPE", 'Elisabeth', 'Straße Œuvre']) {
        const r = await alice.post('/api/v1/bookings', { name, duration_minutes: 30 });
        assert.equal(r.status, 201, r.text);
        ids[r.json.id] = name;
      }
      const names = async (text) => {
        const r = await alice.get('/api/v1/bookings?sort=name&name=' + encodeURIComponent(text));
        assert.equal(r.status, 200, r.text);
        return r.json.items.map((b) => b.name).sort();
      };
      assert.deepEqual(await names('élise'), ['Élise Dupont']);
      assert.deepEqual(await names('ELISE'), ['Élise Dupont']);
      assert.deepEqual(await names('ÉLISE D'), ['Élise Dupont']);
      assert.deepEqual(await names('elis'), ['Elisabeth', 'Élise Dupont']);
      assert.deepEqual(await names('équipe'), ["Réunion d'ÉQUIPE"]);
      assert.deepEqual(await names('REUNION'), ["Réunion d'ÉQUIPE"]);
      assert.deepEqual(await names('strasse oeuvre'), ['Straße Œuvre']);
      assert.deepEqual(await names('Él'), ['Elisabeth', 'Élise Dupont']);
      assert.deepEqual(await names('éliz'), []);
    } finally {
      await server.stop();
    }
  });
}
