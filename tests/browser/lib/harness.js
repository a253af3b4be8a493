// Runs one browser suite against the real stack: a fresh PostgreSQL database on the `postgres`
// fixture, a Redis DB index on the `redis` fixture, valory-fake-upstreams (Twitch + HenrikDev,
// seeded with tests/fakes/seed/demo.json), the real valory-host with the real plugins, and
// Debian's /usr/bin/chromium driven by playwright-core. Fails (never skips) when any is missing.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { spawn, execFileSync } = require('child_process');

const E = process.env;
function need(name) {
  if (!E[name]) throw new Error(`environment variable ${name} is not set (run through ctest)`);
  return E[name];
}

function readEnvFile(file) {
  if (!fs.existsSync(file)) throw new Error(`fixture env file ${file} is missing: the server fixture did not start`);
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_0-9]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(pred, limitMs, what) {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

class Child {
  constructor(name, cmd, args, dir, extraEnv) {
    this.name = name;
    this.log = path.join(dir, `${name}.log`);
    this.portFile = path.join(dir, `${name}.port`);
    const fd = fs.openSync(this.log, 'w');
    this.proc = spawn(cmd, args.concat(['--port-file', this.portFile]), {
      cwd: dir, stdio: ['ignore', fd, fd], env: Object.assign({}, process.env, extraEnv || {}) });
    this.exited = null;
    this.proc.on('exit', (code, sig) => { this.exited = sig || code; });
  }
  async port() {
    await waitFor(() => this.exited !== null || (fs.existsSync(this.portFile) && fs.readFileSync(this.portFile, 'utf8').trim()),
      30000, `${this.name} to write its port file`);
    if (this.exited !== null) throw new Error(`${this.name} exited (${this.exited}):\n${fs.readFileSync(this.log, 'utf8').slice(-4000)}`);
    return Number(fs.readFileSync(this.portFile, 'utf8').trim());
  }
  stop() { if (this.exited === null) this.proc.kill('SIGTERM'); }
}

/// The whole stack for one suite. `opts.pages` / `opts.overlays` are merged into the overlays
/// plugin's settings; `opts.redisDb` picks the Redis DB index (one per suite).
class Stack {
  constructor(suite, opts) {
    this.suite = suite;
    this.opts = opts || {};
    this.artefacts = path.join(need('VALORY_BROWSER_ARTEFACTS'), suite);
    fs.rmSync(this.artefacts, { recursive: true, force: true });
    fs.mkdirSync(this.artefacts, { recursive: true });
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `valory-browser-${suite}-`));
    this.children = [];
    this.results = [];
  }

  async start() {
    const pg = readEnvFile(need('VALORY_PG_ENV_FILE'));
    const redis = readEnvFile(need('VALORY_REDIS_ENV_FILE'));
    if (!pg.VALORY_PG_DSN) throw new Error('no VALORY_PG_DSN in the postgres fixture env file');
    if (!redis.VALORY_REDIS_URL) throw new Error('no VALORY_REDIS_URL in the redis fixture env file');
    const chromiumPath = E.VALORY_CHROMIUM || '/usr/bin/chromium';
    if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: install the Debian package 'chromium'`);

    // A database of its own.
    const dbName = `valory_browser_${this.suite.replace(/[^a-z0-9]/gi, '_')}_${process.pid}`;
    const kv = Object.fromEntries(pg.VALORY_PG_DSN.split(/\s+/).map((p) => p.split('=')));
    process.env.PGOPTIONS = '-c client_min_messages=warning';
    const psql = ['-h', kv.host, '-p', kv.port, '-U', kv.user, '-d', kv.dbname || 'postgres', '-v', 'ON_ERROR_STOP=1', '-q'];
    execFileSync('psql', psql.concat(['-c', `DROP DATABASE IF EXISTS ${dbName}`]));
    execFileSync('psql', psql.concat(['-c', `CREATE DATABASE ${dbName}`]));
    this.dbName = dbName;
    this.psql = psql;
    const dsn = `host=${kv.host} port=${kv.port} user=${kv.user} dbname=${dbName}`;
    const redisDb = this.opts.redisDb || 9;
    const redisUrl = `${redis.VALORY_REDIS_URL.replace(/\/\d+$/, '')}/${redisDb}`;
    try {
      const u = new URL(redis.VALORY_REDIS_URL);
      execFileSync('redis-cli', ['-h', u.hostname, '-p', u.port, '-n', String(redisDb), 'FLUSHDB']);
    } catch (e) { throw new Error(`cannot flush Redis DB ${redisDb}: ${e.message}`); }

    // The fake upstreams.
    const seed = need('VALORY_FAKES_SEED');
    this.fake = new Child('fake', need('VALORY_FAKES_BINARY'), ['--host', '127.0.0.1', '--port', '0', '--seed', seed], this.dir);
    this.children.push(this.fake);
    this.fakePort = await this.fake.port();
    this.fakeUrl = `http://127.0.0.1:${this.fakePort}`;

    // The host.
    const secretDir = path.dirname(seed);
    fs.writeFileSync(path.join(this.dir, 'session-secret.txt'), 'browser-test-session-secret-0123456789abcdef');
    const overlays = Object.assign({
      session_secret: { file: path.join(this.dir, 'session-secret.txt') },
      cookie_secure: false,
      stats_refresh_s: 1,  // snapshots rebuilt at once, so changes on the fake show after one poll
      pages: Object.assign({ poll_s: 30, min_poll_s: 1, beacon_interval_ms: 0 }, this.opts.pages || {})
    }, this.opts.overlays || {});
    const config = {
      server: { host: '127.0.0.1', port: 0 },
      plugin_path: [need('VALORY_PLUGIN_DIR')],
      data_dir: path.join(this.dir, 'data'),
      logging: { level: 'information' },
      plugins: {
        persistence: { settings: { dsn: dsn } },
        cache: { settings: { url: redisUrl, channel: `valory-browser-${this.suite}-${process.pid}` } },
        twitch: { settings: {
          client_id: 'valorydemoclientid00000000000',
          client_secret: { file: path.join(secretDir, 'demo-twitch-client-secret.txt') },
          id_base_url: `${this.fakeUrl}/oauth2`, helix_base_url: `${this.fakeUrl}/helix` } },
        riot: { settings: Object.assign({
          base_url: `${this.fakeUrl}/valorant`,
          api_key: { file: path.join(secretDir, 'demo-henrikdev-key.txt') } }, this.opts.riot || {}) },
        overlays: { settings: overlays }
      }
    };
    if (this.opts.extraPlugins) Object.assign(config.plugins, this.opts.extraPlugins);
    fs.writeFileSync(path.join(this.dir, 'valory.jsonc'), JSON.stringify(config, null, 2));
    this.host = new Child('host', need('VALORY_HOST_BINARY'), ['--config', path.join(this.dir, 'valory.jsonc')], this.dir);
    this.children.push(this.host);
    this.port = await this.host.port();
    this.base = `http://127.0.0.1:${this.port}`;

    const { chromium } = require('playwright-core');
    this.browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
    return this;
  }

  async newPage(opts) {
    const context = await this.browser.newContext(Object.assign({ viewport: { width: 900, height: 400 } }, opts || {}));
    const page = await context.newPage();
    page.errors = [];
    page.requests = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('request', (r) => page.requests.push(r.url()));
    return page;
  }

  /// Logs in through the fake Twitch as `login` in a browser context; returns the page (on /dashboard).
  async login(login, page) {
    await this.control('POST', '/__control/authorize', { login });
    page = page || (await this.newPage());
    await page.goto(`${this.base}/api/auth/login/twitch`);
    await page.waitForURL((u) => u.pathname === '/dashboard', { timeout: 15000 });
    return page;
  }

  /// A JSON call to the host with the page's cookies (same origin as the pages).
  async api(page, method, urlPath, body) {
    const r = await page.request.fetch(`${this.base}${urlPath}`, {
      method, headers: Object.assign({ Accept: 'application/json' }, body !== undefined ? { 'Content-Type': 'application/json', Origin: this.base } : {}),
      data: body !== undefined ? JSON.stringify(body) : undefined });
    let json = null;
    try { json = await r.json(); } catch (e) { json = null; }
    return { status: r.status(), body: json, headers: r.headers() };
  }

  async control(method, urlPath, body) {
    const r = await fetch(`${this.fakeUrl}${urlPath}`, { method, headers: { 'Content-Type': 'application/json' },
      body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await r.text();
    if (!r.ok) throw new Error(`fake ${method} ${urlPath}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async screenshot(page, name, opts) {
    const file = path.join(this.artefacts, `${name}.png`);
    const buf = await page.screenshot(Object.assign({ path: file }, opts || {}));
    return { file, buf };
  }

  hostLog() { return fs.readFileSync(this.host.log, 'utf8'); }

  async stop(failed) {
    try { if (this.browser) await this.browser.close(); } catch (e) { /* already gone */ }
    for (const c of this.children.reverse()) c.stop();
    await waitFor(() => this.children.every((c) => c.exited !== null), 10000, 'children to exit').catch(() => {
      for (const c of this.children) if (c.exited === null) c.proc.kill('SIGKILL');
    });
    for (const c of this.children) fs.copyFileSync(c.log, path.join(this.artefacts, `${c.name}.log`));
    try { execFileSync('psql', this.psql.concat(['-c', `DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`])); } catch (e) { /* reported below */ }
    if (!failed) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/// Gzipped bytes (what the page's own responses weigh on the wire with gzip).
function gzipSize(buf) { return zlib.gzipSync(buf, { level: 9 }).length; }

/// Runs the named checks in order; prints one line per check; exits non-zero on any failure.
async function run(suite, opts, checks) {
  const stack = new Stack(suite, opts);
  let failed = 0;
  try {
    await stack.start();
    for (const [name, fn] of checks) {
      const t0 = Date.now();
      try {
        await fn(stack);
        console.log(`PASS ${suite}.${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${suite}.${name}: ${e.stack || e}`);
      }
    }
  } catch (e) {
    failed++;
    console.log(`FAIL ${suite} (setup): ${e.stack || e}`);
  } finally {
    await stack.stop(failed > 0);
    if (failed) console.log(`logs and screenshots: ${stack.artefacts}`);
  }
  process.exit(failed ? 1 : 0);
}

function assert(cond, msg) { if (!cond) throw new Error(`assertion failed: ${msg}`); }
function eq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg}: expected ${sb}, got ${sa}`);
}

module.exports = { run, Stack, waitFor, sleep, gzipSize, assert, eq };
