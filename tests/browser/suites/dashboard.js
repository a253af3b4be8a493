// The dashboard flow: log in on the fake Twitch, the saved settings load first (a fresh browser
// never overwrites them), set the Riot ID (with the messages for unknown players), change a
// colour and see it on the overlay page, keyboard use, session reset, the OBS URL and its size,
// and a phone-sized viewport.
'use strict';
const { run, assert, eq, waitFor } = require('../lib/harness');
const { saveSettings, openOverlay, SETTINGS_DEFAULTS } = require('../lib/streamer');

let page, overlayId;
const msg = (id) => page.textContent(`#${id}`);

run('dashboard', { redisDb: 13 }, [
  ['logged out: the login call to action', async (stack) => {
    const p = await stack.newPage();
    await p.goto(`${stack.base}/dashboard`);
    await p.waitForSelector('#app[data-state=login]', { timeout: 15000 });
    assert(await p.isVisible('#login-link'), 'the Twitch login link');
    eq(await p.getAttribute('#login-link', 'href'), '/api/auth/login/twitch', 'it starts the Twitch login');
    await p.context().close();
  }],
  ['a fresh browser loads the saved settings and does not overwrite them', async (stack) => {
    const first = await stack.login('magicx');
    await saveSettings(stack, first, Object.assign({}, SETTINGS_DEFAULTS, { winColor: '#123456', overlayStyle: 'minimal' }));
    await first.context().close();
    page = await stack.newPage({ viewport: { width: 1280, height: 900 } });
    const posts = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    await stack.login('magicx', page);
    await page.waitForSelector('#app[data-state=ready]', { timeout: 15000 });
    eq(await page.inputValue('input[name=win_color]'), '#123456', 'the saved win colour is in the form');
    eq(await page.isChecked('input[name=overlay_style][value=minimal]'), true, 'the saved style is selected');
    await page.waitForTimeout(1500);
    eq(posts, [], 'nothing was saved on load');
    const me = await stack.api(page, 'GET', '/api/users/me');
    overlayId = me.body.overlay_id;
    const doc = await stack.api(page, 'GET', `/api/overlay/${overlayId}`);
    eq(doc.body.win_color.toUpperCase(), '#123456', 'the server copy is unchanged');
  }],
  ['Riot ID: an unknown player gets its message, a known one is saved', async (stack) => {
    await page.fill('#riot-id', 'Nobody#0000');
    await page.click('#riot-save');
    await waitFor(async () => /User not found\./.test(await msg('riot-msg')), 15000, 'the "User not found." message');
    await page.fill('#riot-id', 'not a riot id');
    await page.click('#riot-save');
    await waitFor(async () => /Name#TAG/.test(await msg('riot-msg')), 5000, 'the format hint');
    await page.fill('#riot-id', 'MAGICX#1337');
    await page.click('#riot-save');
    await waitFor(async () => /Profile saved/.test(await msg('riot-msg')), 15000, 'the saved message');
    await waitFor(async () => /41 RR/.test(await page.textContent('#preview')), 15000, 'the preview with the real rank data');
  }],
  ['change a colour: saved, and the overlay page shows it', async (stack) => {
    await page.check('input[name=overlay_style][value=new]');
    await page.fill('input[name=primary_color]', '#ff00aa');
    eq(await page.$eval('#preview [data-el=rank-name]', (e) => getComputedStyle(e).color), 'rgb(255, 0, 170)', 'the live preview');
    await waitFor(async () => (await msg('save-state')) === 'Saved', 15000, 'the "Saved" state');
    const ov = await openOverlay(stack, overlayId);
    eq(await ov.$eval('[data-el=rank-name]', (e) => getComputedStyle(e).color), 'rgb(255, 0, 170)', 'the overlay page');
    eq(await ov.getAttribute('.vo', 'data-style'), 'new', 'the style too');
    await stack.screenshot(page, 'dashboard-desktop', { fullPage: true });
    await ov.context().close();
  }],
  ['keyboard: tab to a switch and toggle it with Space', async (stack) => {
    await page.focus('input[name=disabled_win_lose]');
    await page.keyboard.press('Space');
    await waitFor(async () => (await msg('save-state')) === 'Saved', 15000, 'saved');
    const doc = await stack.api(page, 'GET', `/api/overlay/${overlayId}`);
    eq(doc.body.disabled_win_lose, true, 'the switch reached the server');
    await page.evaluate(() => document.activeElement.blur());
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'riot-id');
    }
    assert(reached, 'the Riot ID field is reachable with Tab');
  }],
  ['reset the session counters', async () => {
    await page.click('#reset-session');
    await waitFor(async () => /reset\./.test(await msg('reset-msg')), 15000, 'the reset message');
  }],
  ['the OBS URL and its measured size', async (stack) => {
    eq(await page.inputValue('#obs-url'), `${stack.base}/overlay/${overlayId}`, 'the URL');
    assert(/^\d+ × \d+$/.test(await page.textContent('#obs-size')), `the size: ${await page.textContent('#obs-size')}`);
    await page.click('#copy-url');
    await waitFor(async () => /Copied|Ctrl\+C/.test(await msg('copy-msg')), 5000, 'copy feedback');
  }],
  ['readable on a phone', async (stack) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#app[data-state=ready]', { timeout: 15000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `no horizontal scrolling on a 390 px screen (overflow ${overflow} px)`);
    await stack.screenshot(page, 'dashboard-phone', { fullPage: true });
    eq(page.errors, [], 'no script errors');
  }]
]);
