// Starts a web console server for one test file: web_harness on a free port (127.0.0.1) with its own temp
// SQLite database, plus an HTTP client that keeps the session cookie and CSRF token like a browser.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const USERS = {
  root: 'root-password-1',
  alice: 'alice-password-1',
  bob: 'bob-password-12',
};

// The PostgreSQL server of the tests: CONFPRO_TEST_PG_URL, or the URL in the file CONFPRO_TEST_PG_URL_FILE names
// (written by the ctest fixture pg.cluster_start, tests/pg_cluster.sh); null when there is none.
export function pgAdminUrl() {
  if (process.env.CONFPRO_TEST_PG_URL) return process.env.CONFPRO_TEST_PG_URL;
  const file = process.env.CONFPRO_TEST_PG_URL_FILE;
  if (!file || !existsSync(file)) return null;
  return readFileSync(file, 'utf8').trim() || null;
}

let pgDatabases = 0;
// A fresh, empty PostgreSQL database on that server (created with psql); its URL, or null without a server.
export function freshPgDatabase() {
  const admin = pgAdminUrl();
  if (!admin) return null;
  const name = `confpro_web_${process.pid}_${pgDatabases++}`;
  const r = spawnSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot create database ${name}: ${r.stderr || r.error}`);
  const url = new URL(admin);
  url.pathname = '/' + name;
  return url.toString();
}

// Options: dbUrl (a storage URL, e.g. freshPgDatabase(); default a temp SQLite file); timeScale (the server's
// clock runs that many times faster: a 60 s idle timeout passes in 1 s at 60).
export async function startServer({ live = true, heartbeat = 15, tls = null, threads = 0, maxStreams = 0,
  dbUrl = null, timeScale = 0, maxSessionsPerUser = 0, idleTimeout = 0, accepts = 0, maxConnections = 0,
  maxConnectionsPerSource = null, readTimeout = 0, prefix = [], staticDir = null } = {}) {
  const harness = process.env.CONFPRO_WEB_HARNESS;
  if (!harness) throw new Error('CONFPRO_WEB_HARNESS is not set (run through ctest)');
  const dir = mkdtempSync(join(tmpdir(), 'confpro-web-'));
  const portFile = join(dir, 'port');
  const recordingsDir = join(dir, 'recordings');
  mkdirSync(recordingsDir);
  const dbPath = join(dir, 'test.db');
  const args = ['--db-url', dbUrl ?? `sqlite://${dbPath}`, '--static', staticDir ?? process.env.CONFPRO_UI_DIST ?? 'ui/dist',
    '--port-file', portFile, '--heartbeat', String(heartbeat)];
  if (!live) args.push('--no-live');
  if (tls) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  if (threads) args.push('--threads', String(threads));
  if (maxStreams) args.push('--max-streams', String(maxStreams));
  if (timeScale) args.push('--time-scale', String(timeScale));
  if (maxSessionsPerUser) args.push('--max-sessions-per-user', String(maxSessionsPerUser));
  if (idleTimeout) args.push('--idle-timeout', String(idleTimeout));
  if (accepts) args.push('--accepts', String(accepts));
  args.push('--recordings-dir', recordingsDir);
  if (maxConnections) args.push('--max-connections', String(maxConnections));
  if (maxConnectionsPerSource !== null) args.push('--max-connections-per-source', String(maxConnectionsPerSource));
  if (readTimeout) args.push('--read-timeout', String(readTimeout));
  // `prefix`: a command (and its arguments) that runs the harness, e.g. prlimit to lower its descriptor limit.
  const child = prefix.length ? spawn(prefix[0], [...prefix.slice(1), harness, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(harness, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line); else replies.push(line);
  });
  const deadline = Date.now() + 20000;
  while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').trim()) {
    if (child.exitCode !== null) throw new Error('web_harness exited with ' + child.exitCode);
    if (Date.now() > deadline) throw new Error('web_harness did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return {
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    recordingsDir,  // the server serves recordings from files in here only
    dbPath,         // its SQLite database (unless dbUrl was given)
    // How the harness ended once stop() resolved: { code, signal }.
    exit: () => ({ code: child.exitCode, signal: child.signalCode }),
    // Sends a scripted live-conference command; resolves with the harness's answer ("ok" or an error).
    live(cmd) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(JSON.stringify(cmd) + '\n');
      });
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => { if (child.exitCode !== null) r(); else child.on('exit', r); setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }

  async request(method, path, body, { csrf = true, raw, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (csrf && this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (raw !== undefined) { payload = raw; h['Content-Type'] = 'application/json'; }
    else if (body !== undefined) { payload = JSON.stringify(body); h['Content-Type'] = 'application/json'; }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const value = set.split(';')[0];
      this.cookie = value.endsWith('=') ? '' : value;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers };
  }
  async login(user, password = USERS[user]) {
    const r = await this.request('POST', '/api/v1/session', { username: user, password });
    if (r.status === 201) this.csrf = r.json.csrf_token;
    return r;
  }
  get(p, o) { return this.request('GET', p, undefined, o); }
  post(p, b, o) { return this.request('POST', p, b ?? {}, o); }
  patch(p, b, o) { return this.request('PATCH', p, b, o); }
  del(p, o) { return this.request('DELETE', p, undefined, o); }
}

export async function signedIn(base, user, password = USERS[user]) {
  const c = new Client(base);
  const r = await c.login(user, password);
  if (r.status !== 201) throw new Error(`login ${user}: ${r.status} ${r.text}`);
  return c;
}

// A port that was free a moment ago (SIP needs an explicit one).
export function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

// The real product: `confpro serve` (CONFPRO_BINARY) in a temp dir with a fresh SQLite database (or `storageUrl`),
// SIP on a free port and the console on another, zone Europe/Paris. `server` is added to its [server] table,
// `sip` to its [sip] table, `extra` appended to the config (TOML). Resolves once it printed "confpro ready"; output() is everything it
// printed so far (the administrator password among it). crashAndRestart() kills it with SIGKILL and starts it
// again on the same configuration and data.
export async function startConfpro({ logLevel = 'warn', server = '', sip = '', extra = '', storageUrl = null, prefix = [] } = {}) {
  const confpro = process.env.CONFPRO_BINARY;
  if (!confpro) throw new Error('CONFPRO_BINARY is not set (run through ctest)');
  const dir = mkdtempSync(join(tmpdir(), 'confpro-serve-'));
  const config = join(dir, 'confpro.toml');
  const portFile = join(dir, 'web.port');
  const sipPort = await freePort();
  writeFileSync(config, `[server]
time_zone = "Europe/Paris"
data_dir = "${dir}/var"
${server}
[storage]
url = "${storageUrl ?? `sqlite://${dir}/confpro.db`}"
[log]
level = "${logLevel}"
[sip]
listen_address = "127.0.0.1"
port = ${sipPort}
${sip}
[ivr]
generated_dir = "${tmpdir()}/confpro-test-prompts"
[media]
recordings_dir = "${dir}/var/recordings"
[web]
address = "127.0.0.1"
port = 0
static_dir = "${process.env.CONFPRO_UI_DIST ?? 'ui/dist'}"
port_file = "${portFile}"
${extra}`);
  let child, output = '';
  const launch = async () => {
    rmSync(portFile, { force: true });
    // `prefix`: a command that runs it (e.g. prlimit to lower its descriptor limit).
    child = spawn(prefix[0] ?? confpro, [...prefix.slice(1), ...(prefix.length ? [confpro] : []), '--config', config, 'serve'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = output.length;
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const deadline = Date.now() + 60000;
    while (!/confpro ready/.test(output.slice(started)) || !existsSync(portFile)
      || !readFileSync(portFile, 'utf8').trim()) {
      if (child.exitCode !== null) throw new Error('confpro serve exited: ' + output);
      if (Date.now() > deadline) throw new Error('confpro serve did not start: ' + output);
      await new Promise((r) => setTimeout(r, 100));
    }
    return `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  };
  const running = {
    base: await launch(),
    dir,
    sipPort,
    output: () => output,
    password: () => output.match(/password: (\S+)/)?.[1],
    async crashAndRestart() {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      running.base = await launch();
      return running.base;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => { child.on('exit', r); setTimeout(r, 10000); });
      }
      if (!process.env.CONFPRO_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
    },
  };
  return running;
}
