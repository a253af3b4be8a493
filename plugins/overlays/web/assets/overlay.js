// The OBS page GET /overlay/{id}: loads the overlay's settings and stats, draws them with
// ValoryRender, then polls both with If-None-Match (so a settings change shows without refreshing
// the OBS source). A failed poll keeps the last good values. Reports its load time once with
// navigator.sendBeacon. URL options: ?scale=1.5 &align=left|center|right &poll=<s> &branding=0
(function () {
  'use strict';
  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  var cfg = JSON.parse(document.getElementById('valory-config').textContent);
  var built = JSON.parse(document.getElementById('valory-build').textContent);
  cfg.emblems = built.emblems;
  cfg.localFonts = built.localFonts;
  var q = new URLSearchParams(location.search);
  var root = document.getElementById('overlay');
  var id = cfg.overlayId;

  var pollS = Number(q.get('poll')) || cfg.pollS || 30;
  pollS = Math.max(cfg.minPollS || 5, Math.min(pollS, 3600));
  var scale = Number(q.get('scale'));
  if (scale >= 0.25 && scale <= 4) { root.style.transform = 'scale(' + scale + ')'; }
  var align = q.get('align');
  align = align === 'left' || align === 'right' ? align : 'center';
  document.body.setAttribute('data-align', align);
  root.style.transformOrigin = 'top ' + align;
  var showBranding = cfg.branding !== false && q.get('branding') !== '0' && q.get('branding') !== 'off';

  var st = window.__valoryOverlay = {
    state: 'loading', polls: 0, pollFailures: 0, firstRenderMs: null, settings: null, stats: null,
    settingsEtag: null, statsEtag: null, beaconSent: false
  };

  function setState(s, text) {
    st.state = s;
    root.setAttribute('data-state', s);
    if (s === 'error') {
      var e = document.createElement('div');
      e.className = 'vo-error';
      e.setAttribute('role', 'alert');
      e.textContent = 'ERROR: ' + text;
      root.replaceChildren(e);
    } else if (s === 'loading') {
      var l = document.createElement('div');
      l.className = 'vo-loading';
      l.setAttribute('aria-label', 'Loading');
      root.replaceChildren(l);
    }
  }

  function get(url, etag) {
    var headers = { Accept: 'application/json' };
    if (etag) headers['If-None-Match'] = etag;
    return fetch(url, { headers: headers, cache: 'no-store', credentials: 'omit' }).then(function (r) {
      if (r.status === 304) return { status: 304, etag: etag, body: null };
      if (!r.ok) return { status: r.status, etag: null, body: null };
      return r.json().then(function (b) { return { status: r.status, etag: r.headers.get('ETag'), body: b }; });
    });
  }

  function loadFont(font) {
    if (!cfg.googleFonts || !font || (cfg.localFonts || []).indexOf(font) >= 0) return;
    var href = 'https://fonts.googleapis.com/css2?family=' + encodeURIComponent(font).replace(/%20/g, '+') +
      ':wght@400;500;700;800&display=swap';
    if (document.querySelector('link[data-font="' + font + '"]')) return;
    var l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = href;
    l.setAttribute('data-font', font);
    document.head.appendChild(l);
  }

  function draw() {
    loadFont(st.settings.overlay_font);
    ValoryRender.render(root, st.settings, st.stats, { cfg: cfg, branding: showBranding });
    root.setAttribute('data-state', 'ready');
    st.state = 'ready';
    applyBranding();
    if (st.firstRenderMs === null) {
      st.firstRenderMs = Math.round(performance.now());
      if (performance.mark) performance.mark('valory-first-render');
      sendBeacon();
    }
  }

  function sendBeacon() {
    if (!cfg.beaconUrl || !navigator.sendBeacon || st.beaconSent) return;
    var body = JSON.stringify({ overlay_id: id, first_render_ms: st.firstRenderMs, poll_failures: st.pollFailures });
    st.beaconSent = navigator.sendBeacon(cfg.beaconUrl, new Blob([body], { type: 'application/json' }));
  }

  var brandingStart = performance.now();
  function applyBranding() {
    var b = root.querySelector('[data-el=branding]');
    if (!b) return;
    var on = ValoryRender.brandingVisible(performance.now() - brandingStart, cfg.brandingShowS * 1000,
      cfg.brandingHideS * 1000);
    if (on) b.removeAttribute('hidden-phase'); else b.setAttribute('hidden-phase', '');
  }

  var base = '/api/overlay/' + encodeURIComponent(id);
  // One round: settings and stats. Returns true when both answered (200 or 304).
  function round() {
    return Promise.all([get(base, st.settingsEtag), get(base + '/stats', st.statsEtag)]).then(function (res) {
      var s = res[0], t = res[1], changed = false;
      if (s.status === 404 || s.status === 422) return 'missing';
      if (s.status === 200) { st.settings = s.body; st.settingsEtag = s.etag; changed = true; }
      // A stats answer without rank data ("unavailable") never replaces good values.
      if (t.status === 200 && !(t.body.status === 'unavailable' && st.stats && st.stats.status === 'ok')) {
        st.stats = t.body; st.statsEtag = t.etag; changed = true;
      }
      var ok = (s.status === 200 || s.status === 304) && (t.status === 200 || t.status === 304);
      if (!ok || (t.body && t.body.status === 'unavailable')) st.pollFailures++;
      if (st.settings && st.stats && (changed || st.state !== 'ready')) draw();
      return ok ? 'ok' : 'failed';
    }, function () { st.pollFailures++; return 'failed'; });
  }

  function schedule(ms) { setTimeout(tick, ms); }
  var retryMs = 1000;
  function tick() {
    st.polls++;
    round().then(function (r) {
      if (r === 'missing') { setState('error', 'Overlay not found'); return; }
      if (st.state !== 'ready') {
        if (r === 'failed' && st.pollFailures >= 4) setState('error', 'Failed to load overlay data');
        schedule(retryMs = Math.min(retryMs * 2, pollS * 1000));
        return;
      }
      schedule(pollS * 1000);
    });
  }

  if (!UUID_RE.test(id || '')) { setState('error', 'Overlay not found'); return; }
  setState('loading');
  setInterval(applyBranding, 1000);
  tick();
})();
