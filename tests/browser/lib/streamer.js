// The seeded streamer every suite uses: logs in on the fake Twitch as "magicx" (seeded there),
// links the Riot ID MAGICX#1337 (seeded on the fake HenrikDev) and returns its overlay id.
'use strict';
const { assert, waitFor } = require('./harness');

const SETTINGS_DEFAULTS = {
  overlayStyle: 'new', backgroundColor: '#07090E', disabledBackground: false, disabledBorder: false,
  disabledBackgroundGradient: false, disabledGlowEffect: false, disabledPeakRankIcon: false,
  disabledLeaderboardPlace: false, disabledPeakRR: false, textColor: '#F2F2F2', primaryTextColor: '#F2F2F2',
  overlayFont: 'Inter', winColor: '#00FFE3', loseColor: '#FF7986', disabledWinLose: false,
  disabledLastMatchPoints: false, disabledProgress: false, progressColor: '#00FFE3', progressBgColor: '#F2F2F2'
};

async function seedStreamer(stack, opts) {
  const login = (opts && opts.login) || 'magicx';
  const riotId = (opts && opts.riotId) || 'MAGICX#1337';
  const page = await stack.login(login);
  const me = await stack.api(page, 'GET', '/api/users/me');
  assert(me.status === 200 && me.body && me.body.overlay_id, `GET /api/users/me after login: ${me.status} ${JSON.stringify(me.body)}`);
  const r = await stack.api(page, 'POST', '/api/users/me/riotid', { riot_id: riotId });
  assert(r.status === 200, `POST /api/users/me/riotid: ${r.status} ${JSON.stringify(r.body)}`);
  // The stats snapshot of the overlay follows the new Riot ID within one refresh interval.
  await waitFor(async () => {
    const st = await stack.api(page, 'GET', `/api/overlay/${me.body.overlay_id}/stats`);
    return st.status === 200 && st.body.status === 'ok';
  }, 20000, 'the overlay stats for the linked Riot ID');
  return { page, overlayId: me.body.overlay_id, me: me.body };
}

/// Saves overlay settings (camelCase, partial) through the API as the logged-in streamer.
async function saveSettings(stack, page, settings) {
  const r = await stack.api(page, 'POST', '/api/users/me/overlay', settings);
  assert(r.status === 200, `POST /api/users/me/overlay ${JSON.stringify(settings)}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/// Opens the OBS page and waits for its first render.
async function openOverlay(stack, overlayId, query, page) {
  page = page || (await stack.newPage());
  await page.goto(`${stack.base}/overlay/${overlayId}${query || ''}`);
  await page.waitForSelector('#overlay[data-state=ready]', { timeout: 15000 });
  return page;
}

module.exports = { seedStreamer, saveSettings, openOverlay, SETTINGS_DEFAULTS };
