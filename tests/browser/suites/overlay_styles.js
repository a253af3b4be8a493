// Each style renders (screenshot artefacts), the background is really transparent (pixel alpha of
// an omitBackground screenshot), tiers 0-2 are Unranked, the progress bar follows RR, unknown
// styles draw as Modern, URL options scale and align.
'use strict';
const { run, assert, eq } = require('../lib/harness');
const { seedStreamer, saveSettings, openOverlay, SETTINGS_DEFAULTS } = require('../lib/streamer');

let s;
async function alphaAt(stack, png, points) {
  const page = await stack.newPage();
  await page.goto('about:blank');
  return page.evaluate(async ({ b64, points }) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return points.map(([x, y]) => g.getImageData(x, y, 1, 1).data[3]);
  }, { b64: png.toString('base64'), points });
}

run('overlay_styles', { redisDb: 9 }, [
  ['seed', async (stack) => { s = await seedStreamer(stack); }],
  ['each style renders', async (stack) => {
    for (const style of ['old', 'new', 'new_v2', 'minimal']) {
      await saveSettings(stack, s.page, Object.assign({}, SETTINGS_DEFAULTS, { overlayStyle: style }));
      const page = await openOverlay(stack, s.overlayId);
      eq(await page.getAttribute('.vo', 'data-style'), style, `data-style of ${style}`);
      const rankText = await page.textContent('[data-el=card]');
      // Minimal shows RR and emblems only, the others name the rank.
      const want = style === 'minimal' ? /41 RR/ : /immortal 1/i;
      assert(want.test(rankText), `${style} shows the seeded rank (Immortal 1, 41 RR): ${rankText}`);
      const { buf } = await stack.screenshot(page, `style-${style}`, { omitBackground: true });
      const card = await page.$eval('[data-el=card]', (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; });
      const [corner, below, inside] = await alphaAt(stack, buf, [[2, 2], [5, 395], [Math.floor(card[0] + 60), Math.floor((card[1] + card[3]) / 2)]]);
      eq([corner, below], [0, 0], `${style}: pixels outside the overlay are fully transparent`);
      assert(inside > 0, `${style}: the overlay itself is drawn (alpha ${inside})`);
      eq(page.errors, [], `${style}: no script errors`);
      await page.context().close();
    }
  }],
  ['progress width follows RR; Immortal+ RR over 100 fills the bar', async (stack) => {
    await saveSettings(stack, s.page, { overlayStyle: 'old' });
    const page = await openOverlay(stack, s.overlayId);
    const width = (rr, tier) => page.evaluate(([rr, tier]) => {
      const root = document.createElement('div');
      document.body.appendChild(root);
      ValoryRender.render(root, { overlay_style: 'old' }, { tier: { id: tier, name: 'X' }, rr: rr }, { cfg: {} });
      const w = root.querySelector('[data-el=progress-fill]').style.width;
      root.remove();
      return w;
    }, [rr, tier]);
    eq(await width(41, 13), '41%', 'Gold 2 with 41 RR');
    eq(await width(0, 13), '0%', '0 RR');
    eq(await width(795, 27), '100%', 'Radiant with 795 RR');
    eq(await width(141, 24), '100%', 'Immortal 1 with 141 RR');
    const live = await page.$eval('[data-el=progress-fill]', (e) => e.style.width);
    eq(live, '41%', 'the live overlay: MAGICX has 41 RR');
  }],
  ['tiers 0-2 show as Unranked with the unranked emblem; unknown style draws as Modern', async (stack) => {
    const page = await openOverlay(stack, s.overlayId);
    const r = await page.evaluate(() => {
      const out = [];
      for (const id of [0, 1, 2]) {
        const root = document.createElement('div');
        document.body.appendChild(root);
        ValoryRender.render(root, { overlay_style: 'new' }, { tier: { id: id, name: 'Bogus' } }, { cfg: { emblems: { 0: '/u.svg', 1: '/one.svg' } } });
        out.push([root.querySelector('[data-el=rank-name]').textContent, root.querySelector('[data-el=rank-icon]').getAttribute('src')]);
        root.remove();
      }
      const root = document.createElement('div');
      ValoryRender.render(root, { overlay_style: 'fancy' }, {}, { cfg: {} });
      out.push(root.firstChild.getAttribute('data-style'));
      return out;
    });
    eq(r, [['Unranked', '/u.svg'], ['Unranked', '/u.svg'], ['Unranked', '/u.svg'], 'new'], 'tiers 0-2 and an unknown style');
  }],
  ['the branding strip: 30 s shown, 300 s hidden, and ?branding=0 removes it', async (stack) => {
    let page = await openOverlay(stack, s.overlayId);
    assert(await page.$('[data-el=branding]'), 'the strip is there');
    eq(await page.getAttribute('[data-el=branding]', 'hidden-phase'), null, 'visible at first');
    const phases = await page.evaluate(() => [0, 29999, 30000, 329999, 330000, 359999, 360000].map((t) => ValoryRender.brandingVisible(t)));
    eq(phases, [true, true, false, false, true, true, false], 'the cycle');
    await page.context().close();
    page = await openOverlay(stack, s.overlayId, '?branding=0');
    eq(await page.$('[data-el=branding]'), null, 'hidden by the URL option');
    await page.context().close();
  }],
  ['?scale and ?align', async (stack) => {
    await saveSettings(stack, s.page, { overlayStyle: 'new' });
    const page = await openOverlay(stack, s.overlayId, '?scale=1.5&align=right');
    const box = await page.$eval('[data-el=card]', (e) => { const r = e.getBoundingClientRect(); return { w: r.width, right: r.right }; });
    assert(Math.abs(box.w - 540) < 2, `scaled width 360*1.5: ${box.w}`);
    assert(Math.abs(box.right - 900) < 2, `aligned right in a 900 px viewport: ${box.right}`);
  }]
]);
