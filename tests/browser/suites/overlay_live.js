// The live overlay: a rank change and a won match on the fake HenrikDev appear after the next
// poll (with the rank-change animation), a settings change through the API appears without a
// reload, a failing upstream keeps the last values, and the page reports its load time.
'use strict';
const { run, assert, eq, waitFor } = require('../lib/harness');
const { seedStreamer, saveSettings, openOverlay, SETTINGS_DEFAULTS } = require('../lib/streamer');

let s, page;
const text = (sel) => page.textContent(sel);
const polls = () => page.evaluate(() => window.__valoryOverlay.polls);

run('overlay_live', { redisDb: 11, riot: { rank_ttl_s: 1, matches_ttl_s: 1 } }, [
  ['seed and open with ?poll=1', async (stack) => {
    s = await seedStreamer(stack);
    await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, { overlayStyle: 'old' }));
    page = await openOverlay(stack, s.overlayId, '?poll=1');
    assert(/immortal 1/i.test(await text('[data-el=rank-line]')), 'starts at Immortal 1');
  }],
  ['the page reports its load time (beacon 204)', async (stack) => {
    const st = await page.evaluate(() => window.__valoryOverlay);
    assert(typeof st.firstRenderMs === 'number' && st.firstRenderMs > 0, `first render measured: ${st.firstRenderMs}`);
    assert(st.beaconSent, 'navigator.sendBeacon accepted the report');
    console.log(`MEASURE overlay first render: ${st.firstRenderMs} ms after navigation start`);
    const r = await stack.api(s.page, 'POST', `/api/overlay/${s.overlayId}/frontend-load`, { overlay_id: s.overlayId, first_render_ms: 640, poll_failures: 0 });
    eq(r.status, 204, 'a valid report');
    const bad = await stack.api(s.page, 'POST', `/api/overlay/${s.overlayId}/frontend-load`, { first_render_ms: 'soon' });
    eq(bad.status, 422, 'a malformed report');
    const other = await s.page.request.fetch(`${stack.base}/api/overlay/${s.overlayId}/frontend-load`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      data: JSON.stringify({ first_render_ms: 1, poll_failures: 0 }) });
    eq(other.status(), 403, 'a report from another origin');
  }],
  ['a rank change on the fake appears after the next poll, animated', async (stack) => {
    // 41 RR - 60 = demotion to Ascendant 3 (RR has no ceiling from Immortal on, so no promotion).
    await stack.control('POST', '/__control/match', { name: 'MAGICX', tag: '1337', result: 'loss', rr_change: -60 });
    await waitFor(async () => /ascendant 3/i.test(await text('[data-el=rank-line]')), 30000, 'Ascendant 3 on the overlay');
    eq(await page.getAttribute('#overlay', 'data-rank-changes'), '1', 'one rank change seen');
    assert(await page.$('[data-el=rank-icon].vo-rank-changed'), 'the emblem animates');
    assert(/-60 PTS/.test(await text('[data-el=delta]')), `the new last-game delta: ${await text('[data-el=delta]')}`);
  }],
  ['a won match on the fake appears after the next poll', async (stack) => {
    const wins = Number(await text('[data-el=wins]'));
    await stack.control('POST', '/__control/match', { name: 'MAGICX', tag: '1337', result: 'win', rr_change: 15 });
    await waitFor(async () => Number(await text('[data-el=wins]')) === wins + 1, 30000, `session wins ${wins} + 1`);
    // Matches and rank are separate HenrikDev records: the delta may arrive one poll later.
    await waitFor(async () => /\+15 PTS/.test(await text('[data-el=delta]')), 30000, 'the delta of the new match');
    await stack.screenshot(page, 'live-after-win', { omitBackground: true });
  }],
  ['a settings change through the API appears without reload', async (stack) => {
    const navs = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await saveSettings(stack, s.page, { overlayStyle: 'minimal', primaryTextColor: '#FF00AA' });
    await waitFor(async () => (await page.getAttribute('.vo', 'data-style')) === 'minimal', 20000, 'the minimal style');
    eq(await page.$eval('[data-el=rr]', (e) => getComputedStyle(e).color), 'rgb(255, 0, 170)', 'the new primary colour');
    eq(await page.evaluate(() => performance.getEntriesByType('navigation').length), navs, 'no reload');
  }],
  ['a failing upstream keeps the last values', async (stack) => {
    const before = await text('[data-el=card]');
    await stack.control('POST', '/__control/mode', { family: 'henrik', mode: '5xx', status: 503, count: -1 });
    const p0 = await polls();
    await waitFor(async () => (await polls()) >= p0 + 3, 20000, 'three more polls');
    eq(await text('[data-el=card]'), before, 'the overlay shows the last good values');
    eq(await page.getAttribute('#overlay', 'data-state'), 'ready', 'no error state');
    await stack.control('POST', '/__control/mode', { family: 'henrik', mode: 'normal' });
  }],
  ['the host going away keeps the last values and counts failed polls', async (stack) => {
    const before = await text('[data-el=card]');
    await page.route('**/api/overlay/**', (route) => route.abort('connectionrefused'));
    const f0 = await page.evaluate(() => window.__valoryOverlay.pollFailures);
    await waitFor(async () => (await page.evaluate(() => window.__valoryOverlay.pollFailures)) >= f0 + 2, 20000, 'two failed polls');
    eq(await text('[data-el=card]'), before, 'the overlay shows the last good values');
    await page.unroute('**/api/overlay/**');
  }]
]);
