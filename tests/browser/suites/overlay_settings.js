// Every disabled_* toggle hides exactly its element (or its decoration), every colour setting
// reaches the computed style of its element, and the font is applied and served by the host.
'use strict';
const { run, assert, eq } = require('../lib/harness');
const { seedStreamer, saveSettings, openOverlay, SETTINGS_DEFAULTS } = require('../lib/streamer');

let s;
const present = (page) => page.$$eval('#overlay [data-el]', (els) => [...new Set(els.map((e) => e.getAttribute('data-el')))].sort());

// toggle (camelCase) -> [style, data-el names it removes]
const ELEMENT_TOGGLES = [
  ['disabledWinLose', 'old', ['win-lose', 'wins', 'losses']],
  ['disabledProgress', 'old', ['progress', 'progress-fill']],
  ['disabledLastMatchPoints', 'old', ['last-match', 'delta', 'delta-arrow']],
  ['disabledWinLose', 'new', ['win-lose', 'last-five', 'winrate']],
  ['disabledWinLose', 'new_v2', ['win-lose', 'winrate']],
  ['disabledGlowEffect', 'new', ['rank-icon-glow']],
  ['disabledPeakRankIcon', 'minimal', ['peak-rank-icon', 'peak-icon']],
  ['disabledPeakRR', 'minimal', ['peak-rr']],
  ['disabledLeaderboardPlace', 'minimal', ['leaderboard-place']],
  ['disabledWinLose', 'minimal', ['win-lose', 'leaderboard-place', 'wins', 'losses', 'delta', 'delta-arrow']]
];

async function styleOf(page, sel, prop) {
  return page.$eval(sel, (e, prop) => getComputedStyle(e)[prop], prop);
}
function rgb(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return alpha === undefined ? `rgb(${c.join(', ')})` : `rgba(${c.join(', ')}, ${alpha})`;
}

run('overlay_settings', { redisDb: 10 }, [
  ['seed', async (stack) => { s = await seedStreamer(stack); }],
  ['each element toggle hides exactly its element', async (stack) => {
    for (const [toggle, style, gone] of ELEMENT_TOGGLES) {
      await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, { overlayStyle: style }));
      let page = await openOverlay(stack, s.overlayId);
      const before = await present(page);
      for (const g of gone) assert(before.includes(g), `${style}: [data-el=${g}] is shown before ${toggle} (have ${before})`);
      await page.context().close();
      await saveSettings(stack, s.page, { [toggle]: true });
      page = await openOverlay(stack, s.overlayId);
      const after = await present(page);
      eq(after, before.filter((e) => !gone.includes(e)), `${style} with ${toggle}: exactly ${gone} disappear`);
      await page.context().close();
    }
  }],
  ['decoration toggles: background, border, gradient, glow', async (stack) => {
    const check = async (style, toggle, sel, prop, on, off) => {
      await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, { overlayStyle: style }));
      let page = await openOverlay(stack, s.overlayId);
      const a = await styleOf(page, sel, prop);
      await page.context().close();
      await saveSettings(stack, s.page, { [toggle]: true });
      page = await openOverlay(stack, s.overlayId);
      const b = await styleOf(page, sel, prop);
      const rest = await present(page);
      await page.context().close();
      assert(on(a), `${style} ${sel} ${prop} before ${toggle}: ${a}`);
      assert(off(b), `${style} ${sel} ${prop} after ${toggle}: ${b}`);
      return rest;
    };
    const transparent = (v) => v === 'rgba(0, 0, 0, 0)' || v === 'transparent';
    await check('new', 'disabledBackground', '[data-el=card]', 'backgroundColor', (v) => !transparent(v), transparent);
    await check('old', 'disabledBackground', '[data-el=background]', 'backgroundColor', (v) => !transparent(v), transparent);
    await check('minimal', 'disabledBackground', '[data-el=card]', 'backgroundColor', (v) => !transparent(v), transparent);
    for (const style of ['new', 'new_v2', 'minimal'])
      await check(style, 'disabledBorder', '[data-el=card]', 'borderTopWidth', (v) => v === '2px', (v) => v === '0px');
    await check('new', 'disabledBackground', '[data-el=card]', 'borderTopWidth', (v) => v === '2px', (v) => v === '0px');
    await check('old', 'disabledBackgroundGradient', '[data-el=card]', 'backgroundImage', (v) => /gradient/.test(v), (v) => v === 'none');
    await check('minimal', 'disabledGlowEffect', '[data-el=rr]', 'filter', (v) => /drop-shadow/.test(v), (v) => v === 'none');
  }],
  ['each colour reaches the computed style of its element', async (stack) => {
    const colours = { backgroundColor: '#112233', textColor: '#A1B2C3', primaryTextColor: '#C0FFEE', winColor: '#10E020',
      loseColor: '#E01030', progressColor: '#3355FF', progressBgColor: '#FFAA00' };
    const cases = [
      ['new', '[data-el=card]', 'backgroundColor', rgb(colours.backgroundColor, 0.6)],
      ['old', '[data-el=background]', 'backgroundColor', rgb(colours.backgroundColor, 0.25)],
      ['new', '[data-el=elo-line]', 'color', rgb(colours.textColor)],
      ['old', '[data-el=rating-label]', 'color', rgb(colours.textColor)],
      ['new', '[data-el=rank-name]', 'color', rgb(colours.primaryTextColor)],
      ['minimal', '[data-el=rr]', 'color', rgb(colours.primaryTextColor)],
      ['minimal', '[data-el=wins]', 'color', rgb(colours.winColor)],
      ['minimal', '[data-el=losses]', 'color', rgb(colours.loseColor)],
      ['new', '[data-el=delta]', 'color', rgb(colours.loseColor)],  // MAGICX lost 18 RR last game
      ['old', '[data-el=progress-fill]', 'backgroundColor', rgb(colours.progressColor)],
      ['old', '[data-el=progress]', 'backgroundColor', rgb(colours.progressBgColor, 0.27)]
    ];
    for (const [style, sel, prop, want] of cases) {
      await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, colours, { overlayStyle: style }));
      const page = await openOverlay(stack, s.overlayId);
      let got = await styleOf(page, sel, prop);
      got = got.replace(/rgba\((\d+), (\d+), (\d+), (0\.\d+)\)/, (m, r, g, b, a) => `rgba(${r}, ${g}, ${b}, ${Math.round(a * 100) / 100})`);
      eq(got, want, `${style} ${sel} ${prop}`);
      await page.context().close();
    }
  }],
  ['the font is applied and served by this host', async (stack) => {
    await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, { overlayFont: 'Manrope' }));
    const page = await openOverlay(stack, s.overlayId);
    const family = await styleOf(page, '.vo', 'fontFamily');
    assert(/^"?Manrope"?,/.test(family), `font-family starts with Manrope: ${family}`);
    await page.evaluate(() => document.fonts.ready);
    const loaded = await page.evaluate(() => document.fonts.check('700 16px Manrope'));
    assert(loaded, 'Manrope 700 is loaded');
    const fontReqs = page.requests.filter((u) => /\.(ttf|otf|woff2?)$/.test(u));
    assert(fontReqs.length > 0 && fontReqs.every((u) => u.startsWith(stack.base + '/assets/')), `fonts from this host: ${fontReqs}`);
  }]
]);
