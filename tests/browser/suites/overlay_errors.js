// The error states (unknown and malformed overlay ids), no request to a third-party host, the
// page-weight budget (gzipped bytes of the page's own requests, before fonts and emblems) and the
// caching of the fingerprinted assets.
'use strict';
const { run, assert, eq, gzipSize } = require('../lib/harness');
const { seedStreamer, openOverlay } = require('../lib/streamer');

let s;
run('overlay_errors', { redisDb: 12 }, [
  ['an unknown overlay shows a clear error state', async (stack) => {
    const page = await stack.newPage();
    await page.goto(`${stack.base}/overlay/00000000-0000-4000-8000-000000000000`);
    await page.waitForSelector('#overlay[data-state=error]', { timeout: 15000 });
    eq(await page.textContent('#overlay'), 'ERROR: Overlay not found', 'the error text');
    await stack.screenshot(page, 'error-unknown-overlay', { omitBackground: true });
  }],
  ['a malformed overlay id is a 404 with the error state and no API call', async (stack) => {
    const page = await stack.newPage();
    const resp = await page.goto(`${stack.base}/overlay/not-a-uuid`);
    eq(resp.status(), 404, 'status');
    await page.waitForSelector('#overlay[data-state=error]', { timeout: 15000 });
    assert(!page.requests.some((u) => u.includes('/api/')), `no API request: ${page.requests}`);
  }],
  ['seed', async (stack) => { s = await seedStreamer(stack); }],
  ['no request leaves for a third-party host; page weight within budget', async (stack) => {
    const page = await stack.newPage();
    const sizes = [];
    page.on('response', async (r) => {
      try { sizes.push({ url: r.url(), body: await r.body(), enc: r.headers()['content-encoding'] || '' }); } catch (e) { /* redirects have no body */ }
    });
    await openOverlay(stack, s.overlayId, '', page);
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(300);
    const foreign = page.requests.filter((u) => !u.startsWith(stack.base + '/') && !u.startsWith('data:'));
    eq(foreign, [], 'requests to other hosts');
    const own = sizes.filter((x) => !/\.(ttf|otf|woff2?)$/.test(x.url) && !/\/tier-\d+\./.test(x.url));
    const weight = own.reduce((n, x) => n + gzipSize(x.body), 0);
    const fonts = sizes.filter((x) => /\.(ttf|otf|woff2?)$/.test(x.url)).reduce((n, x) => n + gzipSize(x.body), 0);
    const emblems = sizes.filter((x) => /\/tier-\d+\./.test(x.url)).reduce((n, x) => n + gzipSize(x.body), 0);
    const firstRender = await page.evaluate(() => window.__valoryOverlay.firstRenderMs);
    console.log(`MEASURE overlay page weight: ${weight} bytes gzipped in ${own.length} requests ` +
      `(${own.map((x) => x.url.replace(stack.base, '')).join(' ')}); fonts ${fonts} B, emblems ${emblems} B; first render ${firstRender} ms`);
    assert(weight <= 30 * 1024, `page weight ${weight} B <= 30 KB`);
  }],
  ['fingerprinted assets: immutable, pre-gzipped, ETag', async (stack) => {
    const page = await stack.newPage();
    await page.goto(`${stack.base}/overlay/${s.overlayId}`);
    const js = await page.$eval('script[src*="/assets/overlay."]', (e) => e.getAttribute('src'));
    assert(/\/assets\/overlay\.[0-9a-f]{12}\.js$/.test(js), `fingerprinted name: ${js}`);
    const r = await fetch(stack.base + js, { headers: { 'Accept-Encoding': 'gzip' } });
    eq(r.status, 200, 'asset status');
    assert(/immutable/.test(r.headers.get('cache-control')), `Cache-Control: ${r.headers.get('cache-control')}`);
    eq(r.headers.get('content-encoding'), 'gzip', 'served pre-gzipped');
    const etag = r.headers.get('etag');
    const again = await fetch(stack.base + js, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
    eq(again.status, 304, 'revalidation');
    const html = await fetch(`${stack.base}/overlay/${s.overlayId}`);
    eq(html.headers.get('cache-control'), 'no-cache', 'the page itself revalidates');
    assert(/default-src 'self'/.test(html.headers.get('content-security-policy')), 'a CSP that keeps the page on this host');
  }]
]);
