// The landing page: what Valory is, the login, and the streamers spotlight from the showcase
// routes (the fake Twitch's seeded streamers), with no third-party request.
'use strict';
const { run, assert, eq, waitFor } = require('../lib/harness');

run('landing', { redisDb: 14, overlays: { showcase_logins: ['magicx', 'nrk_plays', 'CafeCreme', 'radiantqueen', 'newbie_val'] } }, [
  ['the landing page with the spotlight', async (stack) => {
    const page = await stack.newPage({ viewport: { width: 1280, height: 900 } });
    const resp = await page.goto(`${stack.base}/`);
    eq(resp.status(), 200, 'status');
    assert(/Valorant rank/.test(await page.textContent('h1')), 'says what Valory is');
    eq(await page.getAttribute('a.button.primary', 'href'), '/api/auth/login/twitch', 'the login button');
    await waitFor(async () => (await page.getAttribute('#spot-list', 'data-state')) !== 'loading', 20000, 'the spotlight');
    eq(await page.getAttribute('#spot-list', 'data-state'), 'ready', 'the spotlight loaded');
    const n = await page.$$eval('#spot-list li.streamer', (l) => l.length);
    assert(n > 0, `streamers listed: ${n}`);
    assert(await page.$('#spot-list li.streamer.live'), 'live streamers are marked');
    await waitFor(async () => (await page.$$('#spot-stats .counter')).length === 4, 10000, 'the counters');
    const foreign = page.requests.filter((u) => !u.startsWith(stack.base + '/'));
    eq(foreign, [], 'requests to other hosts');
    await stack.screenshot(page, 'landing', { fullPage: true });
    eq(page.errors, [], 'no script errors');
  }],
  ['the login button leads through Twitch to the dashboard', async (stack) => {
    await stack.control('POST', '/__control/authorize', { login: 'magicx' });
    const page = await stack.newPage();
    await page.goto(`${stack.base}/`);
    await page.click('a.button.primary');
    await page.waitForURL((u) => u.pathname === '/dashboard', { timeout: 15000 });
    await page.waitForSelector('#app[data-state=ready]', { timeout: 15000 });
  }]
]);
