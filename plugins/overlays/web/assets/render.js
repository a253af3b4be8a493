// Draws one overlay (the four styles of the original: old, new, new_v2, minimal) from the settings
// document of GET /api/overlay/{id} and the stats document of GET /api/overlay/{id}/stats.
// Shared by the OBS page and the dashboard's live preview. Every element a setting can hide or
// colour carries a data-el name, so tests and the preview address the same parts.
(function () {
  'use strict';

  var STYLES = ['old', 'new', 'new_v2', 'minimal'];
  var DEFAULTS = {
    overlay_style: 'new', background_color: '#07090E', text_color: '#F2F2F2', primary_color: '#F2F2F2',
    overlay_font: 'Inter', win_color: '#00FFE3', lose_color: '#FF7986', progress_color: '#00FFE3',
    progress_bg_color: '#F2F2F2'
  };
  var SVGNS = 'http://www.w3.org/2000/svg';
  var ARROW_UP = 'M6 1 L11 9 H1 Z', ARROW_DOWN = 'M6 11 L11 3 H1 Z', MINUS = 'M1 5 H11 V7 H1 Z';

  function hex(v, fallback) {
    return typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v) ? v : fallback;
  }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'el') el.setAttribute('data-el', attrs[k]);
      else if (k === 'cls') el.className = attrs[k];
      else if (k === 'text') el.textContent = attrs[k];
      else if (k === 'style') for (var s in attrs.style) el.style.setProperty(s, attrs.style[s]);
      else el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) el.appendChild(arguments[i]);
    return el;
  }
  function icon(path, color, el) {
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 12 12');
    svg.setAttribute('class', 'vo-arrow');
    if (el) svg.setAttribute('data-el', el);
    var p = document.createElementNS(SVGNS, 'path');
    p.setAttribute('d', path);
    p.setAttribute('fill', color);
    svg.appendChild(p);
    return svg;
  }

  /// Tier 0-2 are all "Unranked" (1 and 2 are unused ids; the original asked for a missing 0.webp).
  function tierOf(t) {
    var id = t && typeof t.id === 'number' ? t.id : 0;
    if (id < 3 || id > 27) return { id: 0, name: 'Unranked' };
    return { id: id, name: (t && t.name) || 'Unranked' };
  }
  function emblemUrl(cfg, tier) {
    if (cfg.emblemTemplate) return cfg.emblemTemplate.replace('{tier}', String(tier));
    return (cfg.emblems || {})[String(tier)] || '';
  }
  function emblem(cfg, tier, el, extraCls) {
    return h('img', { el: el, cls: 'vo-emblem' + (extraCls ? ' ' + extraCls : ''), alt: '',
      src: emblemUrl(cfg, tier), draggable: 'false' });
  }

  /// Normalised view of settings + stats (defaults where the data is missing).
  function model(settings, stats) {
    var s = {}, k;
    for (k in DEFAULTS) s[k] = DEFAULTS[k];
    for (k in settings || {}) if (settings[k] !== null && settings[k] !== undefined) s[k] = settings[k];
    if (STYLES.indexOf(s.overlay_style) < 0) s.overlay_style = 'new';
    ['background_color', 'text_color', 'primary_color', 'win_color', 'lose_color', 'progress_color',
      'progress_bg_color'].forEach(function (c) { s[c] = hex(s[c], DEFAULTS[c]); });
    var st = stats || {};
    var tier = tierOf(st.tier);
    var peak = st.peak ? tierOf(st.peak.tier) : { id: 0, name: 'Unranked' };
    var session = st.session || {};
    var five = (st.last_five || []).slice(0, 5);
    while (five.length < 5) five.push('-');
    return {
      s: s,
      tier: tier,
      rr: num(st.rr),
      elo: num(st.elo),
      delta: num(st.last_change),
      peak: peak,
      peakRR: st.peak ? num(st.peak.rr) : 0,
      place: typeof st.leaderboard_place === 'number' && st.leaderboard_place > 0 ? st.leaderboard_place : null,
      riotId: st.riot_id || '',
      level: num(st.level),
      wins: num(session.wins),
      losses: num(session.losses),
      lastFive: five,
      winrate: num(st.season_winrate)
    };
  }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }
  function signed(n) { return n > 0 ? '+' + n : String(n); }

  function deltaArrow(m, el) {
    if (m.delta > 0) return icon(ARROW_UP, m.s.win_color, el);
    if (m.delta < 0) return icon(ARROW_DOWN, m.s.lose_color, el);
    return null;
  }

  function renderOld(m, cfg) {
    var s = m.s;
    var immortalPlus = m.tier.id >= 24 && m.place;
    var rankLine = immortalPlus ? m.tier.name + ' #' + m.place : m.tier.name + ' - ' + m.rr + ' RR';
    // RR above 100 (Immortal and Radiant count on past the bar) fills it.
    var fill = Math.max(0, Math.min(m.rr, 100));
    var right = h('div', { cls: 'vo-old-right' },
      h('div', { el: 'rating-label', cls: 'vo-text vo-up', text: 'Rating' }),
      h('div', { el: 'rank-line', cls: 'vo-primary vo-up vo-old-rank', text: rankLine }),
      s.disabled_win_lose ? null : h('div', { el: 'win-lose', cls: 'vo-old-wl' },
        h('span', { cls: 'vo-text', text: 'Win: ' }), h('span', { el: 'wins', cls: 'vo-primary', text: String(m.wins) }),
        h('span', { cls: 'vo-text', text: ' Lose: ' }), h('span', { el: 'losses', cls: 'vo-primary', text: String(m.losses) })),
      s.disabled_progress ? null : h('div', { el: 'progress', cls: 'vo-progress',
        style: { 'background-color': s.progress_bg_color + '45' } },
        h('div', { el: 'progress-fill', cls: 'vo-progress-fill',
          style: { width: fill + '%', 'background-color': s.progress_color } })),
      s.disabled_last_match_points ? null : h('div', { el: 'last-match', cls: 'vo-old-last vo-up' },
        h('span', { cls: 'vo-text', text: 'Last match: ' }),
        h('span', { el: 'delta', cls: 'vo-primary', text: signed(m.delta) + ' PTS' }),
        deltaArrow(m, 'delta-arrow')));
    var left = h('div', { el: 'background', cls: 'vo-old-left',
      style: { 'background-color': s.disabled_background ? 'transparent' : s.background_color + '40' } },
      emblem(cfg, m.tier.id, 'rank-icon'));
    return h('div', { el: 'card', cls: 'vo-card vo-old' + (s.disabled_background_gradient ? '' : ' vo-gradient') },
      left, right);
  }

  function cardStyle(s) {
    var st = { 'background-color': s.disabled_background ? 'transparent' : s.background_color + '99' };
    st['border-width'] = s.disabled_background || s.disabled_border ? '0px' : '2px';
    return st;
  }
  function iconWithGlow(m, cfg) {
    return h('div', { cls: 'vo-icon' },
      m.s.disabled_glow_effect ? null : emblem(cfg, m.tier.id, 'rank-icon-glow', 'vo-icon-glow'),
      emblem(cfg, m.tier.id, 'rank-icon'));
  }
  function square(result, s) {
    var map = { win: ['W', s.win_color], loss: ['L', s.lose_color], draw: ['D', s.primary_color] };
    var v = map[result] || ['-', s.primary_color];
    return h('span', { cls: 'vo-square', 'data-result': result, text: v[0],
      style: { 'background-color': v[1] + '80', '--glow': v[1] } });
  }

  function renderNew(m, cfg) {
    var s = m.s;
    var rankName = m.tier.name + (m.place ? ' #' + m.place : '');
    var badge = m.delta === 0 ? null : h('span', { el: 'delta', cls: 'vo-badge',
      style: { color: m.delta > 0 ? s.win_color : s.lose_color, '--glow': m.delta > 0 ? s.win_color : s.lose_color } },
      deltaArrow(m, 'delta-arrow'), document.createTextNode(signed(m.delta)));
    var col = h('div', { cls: 'vo-col' },
      h('div', { el: 'rank-name', cls: 'vo-primary vo-up vo-new-rank', text: rankName }),
      h('div', { el: 'elo-line', cls: 'vo-text vo-up vo-new-elo' },
        document.createTextNode(m.elo + ' ELO - ' + m.rr + ' RR '), badge),
      s.disabled_win_lose ? null : h('div', { el: 'win-lose', cls: 'vo-new-wl' },
        h.apply(null, ['span', { el: 'last-five', cls: 'vo-five' }].concat(m.lastFive.map(function (r) { return square(r, s); }))),
        h('span', { el: 'winrate', cls: 'vo-text vo-winrate', text: m.winrate + '%' })));
    return h('div', { el: 'card', cls: 'vo-card vo-new', style: cardStyle(s) }, iconWithGlow(m, cfg), col);
  }

  function renderNewV2(m, cfg) {
    var s = m.s;
    var left = h('div', { cls: 'vo-col' },
      h('div', { el: 'riot-id', cls: 'vo-primary vo-v2-id', text: m.riotId }),
      h('div', { el: 'rank-name', cls: 'vo-text vo-v2-rank vo-glow-text', text: m.tier.name + (m.place ? ' #' + m.place : '') }),
      h('div', { el: 'level', cls: 'vo-primary vo-v2-level', text: 'Level: ' + m.level }));
    var wr = m.winrate > 50 ? s.win_color : s.lose_color;
    var right = s.disabled_win_lose ? null : h('div', { el: 'win-lose', cls: 'vo-v2-right' },
      h('div', { el: 'winrate', cls: 'vo-v2-wr vo-glow-text', text: m.winrate + '%', style: { color: wr, '--glow': wr } }),
      h('div', { cls: 'vo-text vo-v2-wr-label', text: 'Winrate' }));
    return h('div', { el: 'card', cls: 'vo-card vo-new vo-v2', style: cardStyle(s) }, iconWithGlow(m, cfg), left, right);
  }

  function renderMinimal(m, cfg) {
    var s = m.s;
    var div = /\s(\d)$/.exec(m.tier.name);
    var left = h('div', { cls: 'vo-min-group' },
      s.disabled_peak_rank_icon ? null : h('span', { el: 'peak-rank-icon', cls: 'vo-min-icon' },
        emblem(cfg, m.peak.id, 'peak-icon'), h('span', { cls: 'vo-peak-dot' })),
      s.disabled_peak_rr ? null : h('span', { el: 'peak-rr', cls: 'vo-primary vo-up vo-glow-text', text: m.peakRR + ' RR' }),
      h('span', { cls: 'vo-min-icon' }, emblem(cfg, m.tier.id, 'rank-icon'),
        div ? h('span', { el: 'division', cls: 'vo-division', text: div[1] }) : null),
      h('span', { el: 'rr', cls: 'vo-primary vo-up vo-glow-text', text: m.rr + ' RR' }));
    var trendColor = m.delta > 0 ? s.win_color : m.delta < 0 ? s.lose_color : s.primary_color;
    var right = s.disabled_win_lose ? null : h('div', { el: 'win-lose', cls: 'vo-min-group' },
      m.place && !s.disabled_leaderboard_place ? h('span', { el: 'leaderboard-place', cls: 'vo-primary vo-glow-text', text: '#' + m.place }) : null,
      h('span', { el: 'wins', cls: 'vo-glow-text', style: { color: s.win_color, '--glow': s.win_color } },
        icon(ARROW_UP, s.win_color), document.createTextNode(String(m.wins))),
      h('span', { el: 'losses', cls: 'vo-glow-text', style: { color: s.lose_color, '--glow': s.lose_color } },
        icon(ARROW_DOWN, s.lose_color), document.createTextNode(String(m.losses))),
      h('span', { el: 'delta', cls: 'vo-glow-text', style: { color: trendColor, '--glow': trendColor } },
        icon(m.delta > 0 ? ARROW_UP : m.delta < 0 ? ARROW_DOWN : MINUS, trendColor, 'delta-arrow'),
        document.createTextNode(signed(m.delta))));
    return h('div', { el: 'card', cls: 'vo-card vo-minimal', style: cardStyle(s) }, left, right);
  }

  function branding(m) {
    var s = m.s, bg;
    if (s.overlay_style === 'old') bg = s.disabled_background_gradient ? 'transparent' : '#00000080';
    else bg = s.disabled_background ? 'transparent' : s.background_color + '80';
    return h('div', { el: 'branding', cls: 'vo-branding' + (bg === 'transparent' ? '' : ' vo-branding-bg'),
      style: { 'background-color': bg, color: s.primary_color } },
      h('span', { cls: 'vo-branding-lead', text: 'Show stats with ' }), h('b', { text: 'Valory' }));
  }

  var RENDERERS = { old: renderOld, new: renderNew, new_v2: renderNewV2, minimal: renderMinimal };

  /// Replaces the content of `root` with the overlay. opts: {cfg, branding: bool}. Returns the
  /// model used, so callers can compare ranks between renders.
  function render(root, settings, stats, opts) {
    var cfg = (opts && opts.cfg) || {};
    var m = model(settings, stats);
    var s = m.s;
    var card = RENDERERS[s.overlay_style](m, cfg);
    var wrap = h('div', { cls: 'vo vo-style-' + s.overlay_style + (s.disabled_glow_effect ? '' : ' vo-glow'),
      'data-style': s.overlay_style,
      style: {
        '--text-color': s.text_color, '--primary-text-color': s.primary_color, '--win-color': s.win_color,
        '--lose-color': s.lose_color, '--progress-color': s.progress_color,
        'font-family': fontStack(s.overlay_font)
      } }, card, opts && opts.branding === false ? null : branding(m));
    var prev = root.__voTier;
    root.replaceChildren(wrap);
    if (prev !== undefined && prev !== m.tier.id) {
      root.setAttribute('data-rank-changes', String(Number(root.getAttribute('data-rank-changes') || 0) + 1));
      wrap.querySelectorAll('[data-el=rank-icon]').forEach(function (e) { e.classList.add('vo-rank-changed'); });
      var line = wrap.querySelector('[data-el=rank-line],[data-el=rank-name],[data-el=rr]');
      if (line) line.classList.add('vo-rank-changed-text');
    }
    root.__voTier = m.tier.id;
    return m;
  }

  function fontStack(font) {
    var f = typeof font === 'string' && /^[A-Za-z0-9 -]{2,50}$/.test(font) ? font : 'Inter';
    return '"' + f + '", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  }

  /// The branding strip's timing (visible 30 s, hidden 300 s, repeating, starting visible).
  function brandingVisible(elapsedMs, showMs, hideMs) {
    var show = showMs || 30000, hide = hideMs || 300000;
    return elapsedMs % (show + hide) < show;
  }

  window.ValoryRender = { render: render, model: model, brandingVisible: brandingVisible, styles: STYLES,
    defaults: DEFAULTS, fontStack: fontStack };
})();
