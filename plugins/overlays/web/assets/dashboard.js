// The streamer's dashboard GET /dashboard: Twitch login, Riot ID + key, every overlay setting with
// a live preview on the streamer's real stats, debounced saves (the saved copy is loaded first, so
// a fresh browser never overwrites it), session reset and the OBS URL with its measured size.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('valory-config').textContent);
  var built = JSON.parse(document.getElementById('valory-build').textContent);
  cfg.emblems = built.emblems;
  cfg.localFonts = built.localFonts;
  var $ = function (id) { return document.getElementById(id); };
  var FONTS = ['Roboto', 'Open Sans', 'Montserrat', 'Lato', 'Poppins', 'Inter', 'DM Sans', 'Public Sans', 'Manrope',
    'Sora', 'Outfit', 'Urbanist', 'Space Grotesk', 'Geist', 'JetBrains Mono', 'Space Mono', 'Geist Mono', 'Lora',
    'Rajdhani', 'Gabarito', 'Oxanium', 'Russo one', 'Bricolage Grotesque', 'Onest'];
  var FIELDS = ['overlay_style', 'background_color', 'disabled_background', 'disabled_border',
    'disabled_background_gradient', 'disabled_glow_effect', 'disabled_peak_rank_icon', 'disabled_leaderboard_place',
    'disabled_peak_rr', 'text_color', 'primary_color', 'overlay_font', 'win_color', 'lose_color', 'disabled_win_lose',
    'disabled_last_match_points', 'disabled_progress', 'progress_color', 'progress_bg_color'];
  var RIOT_MESSAGES = { 401: "Invalid Henrik's API key.", 403: "Invalid Henrik's API key.", 404: 'User not found.',
    429: 'Too many requests. Please wait.' };
  var me = null, settings = null, stats = null, dirty = {}, saveTimer = null, saving = null;
  var ui = window.__valoryDashboard = { saves: 0, saveFailures: 0, state: 'loading' };

  function camel(k) {
    if (k === 'primary_color') return 'primaryTextColor';
    if (k === 'disabled_peak_rr') return 'disabledPeakRR';
    return k.replace(/_([a-z])/g, function (_, c) { return c.toUpperCase(); });
  }
  function detail(body, fallback) {
    if (!body) return fallback;
    var d = body.detail !== undefined ? body.detail : body.message;
    if (typeof d === 'string') return d;
    if (Array.isArray(d) && d.length) return d.map(function (e) { return e.msg || String(e); }).join('; ');
    return fallback;
  }
  function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
        return { status: r.status, ok: r.ok, body: j };
      });
    });
  }
  function say(id, text, good) {
    var o = $(id);
    o.textContent = text;
    o.className = 'msg' + (good === true ? ' good' : good === false ? ' bad' : '');
  }

  function fillForm() {
    var form = $('settings-form');
    var sel = $('overlay-font');
    FONTS.forEach(function (f) { var o = document.createElement('option'); o.value = o.textContent = f; sel.appendChild(o); });
    FIELDS.forEach(function (k) {
      var els = form.elements[k];
      if (!els) return;
      var v = settings[k];
      if (k === 'overlay_style') {
        Array.prototype.forEach.call(form.querySelectorAll('input[name=overlay_style]'), function (r) { r.checked = r.value === v; });
      } else if (els.type === 'checkbox') {
        els.checked = els.hasAttribute('data-invert') ? !v : !!v;
      } else if (els.type === 'color') {
        els.value = String(v || '#000000').toLowerCase();
      } else {
        els.value = v;
      }
    });
    form.addEventListener('input', onEdit);
    form.addEventListener('change', onEdit);
    applyVisibility();
  }
  function readField(el) {
    if (el.type === 'checkbox') return el.hasAttribute('data-invert') ? !el.checked : el.checked;
    if (el.type === 'color') return el.value.toUpperCase();
    return el.value;
  }
  function onEdit(ev) {
    var el = ev.target;
    if (!el.name || FIELDS.indexOf(el.name) < 0) return;
    if (el.type === 'radio' && !el.checked) return;
    var v = readField(el);
    if (settings[el.name] === v) return;
    settings[el.name] = v;
    dirty[el.name] = v;
    if (el.name === 'overlay_style') applyVisibility();
    drawPreview();
    say('save-state', 'Unsaved changes…');
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, cfg.saveDebounceMs || 1000);
  }
  function applyVisibility() {
    var style = settings.overlay_style;
    Array.prototype.forEach.call(document.querySelectorAll('[data-for]'), function (e) {
      e.hidden = e.getAttribute('data-for').split(' ').indexOf(style) < 0;
    });
    var border = $('settings-form').elements.disabled_border;
    border.disabled = !!settings.disabled_background;
  }
  function save() {
    if (saving) { clearTimeout(saveTimer); saveTimer = setTimeout(save, 300); return; }
    var body = {}, sent = dirty;
    dirty = {};
    Object.keys(sent).forEach(function (k) { body[camel(k)] = sent[k]; });
    if (!Object.keys(body).length) return;
    say('save-state', 'Saving…');
    saving = api('POST', '/api/users/me/overlay', body).then(function (r) {
      saving = null;
      if (r.ok) { ui.saves++; say('save-state', 'Saved', true); return; }
      ui.saveFailures++;
      Object.keys(sent).forEach(function (k) { if (!(k in dirty)) dirty[k] = sent[k]; });
      say('save-state', 'Save failed: ' + detail(r.body, 'HTTP ' + r.status), false);
    }, function () {
      saving = null;
      ui.saveFailures++;
      Object.keys(sent).forEach(function (k) { if (!(k in dirty)) dirty[k] = sent[k]; });
      say('save-state', 'Save failed: network error', false);
    });
  }

  function drawPreview() {
    ValoryRender.render($('preview'), settings, stats, { cfg: cfg, branding: true });
    var box = $('preview').firstChild.getBoundingClientRect();
    $('obs-size').textContent = Math.ceil(box.width) + ' × ' + Math.ceil(box.height);
  }
  function loadStats() {
    return api('GET', '/api/overlay/' + encodeURIComponent(me.overlay_id) + '/stats').then(function (r) {
      if (r.ok) stats = r.body;
    });
  }

  // The stats follow a new Riot ID within the server's refresh interval: poll briefly.
  function refreshUntilLinked(riot, tries) {
    return loadStats().then(function () {
      drawPreview();
      var linked = stats && stats.riot_id && stats.riot_id.toLowerCase() === riot.toLowerCase() && stats.status !== 'unlinked';
      if (!linked && tries > 1) return new Promise(function (r) { setTimeout(r, 2000); }).then(function () { return refreshUntilLinked(riot, tries - 1); });
    });
  }

  function onRiot(ev) {
    ev.preventDefault();
    var riot = $('riot-id').value.trim(), key = $('hdev-key').value.trim();
    if (!/^[^#]{1,32}#[^#]{1,8}$/.test(riot)) { say('riot-msg', 'Enter your Riot ID as Name#TAG.', false); return; }
    say('riot-msg', 'Checking…');
    var step = key ? api('POST', '/api/users/me/hdev_api_key', { hdev_api_key: key }) : Promise.resolve({ ok: true });
    step.then(function (r) {
      if (!r.ok) return r;
      return api('POST', '/api/users/me/riotid', { riot_id: riot });
    }).then(function (r) {
      if (!r.ok) {
        say('riot-msg', RIOT_MESSAGES[r.status] || detail(r.body, 'Network error, please try again.'), false);
        return;
      }
      $('hdev-key').value = '';
      say('riot-msg', 'Profile saved.', true);
      return refreshUntilLinked(riot, 15);
    }, function () { say('riot-msg', 'Network error, please try again.', false); });
  }

  function onReset() {
    say('reset-msg', 'Resetting…');
    api('POST', '/api/users/me/session/reset', {}).then(function (r) {
      if (!r.ok) { say('reset-msg', 'Reset failed: ' + detail(r.body, 'HTTP ' + r.status), false); return; }
      say('reset-msg', 'Session counters reset.', true);
      return loadStats().then(drawPreview);
    }, function () { say('reset-msg', 'Reset failed: network error', false); });
  }

  function onCopy() {
    var input = $('obs-url');
    var done = function () { say('copy-msg', 'Copied.', true); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); say('copy-msg', 'Press Ctrl+C to copy.'); });
    } else {
      input.select();
      try { document.execCommand('copy'); done(); } catch (e) { say('copy-msg', 'Press Ctrl+C to copy.'); }
    }
  }

  function fatal(text) {
    ui.state = 'error';
    $('app').setAttribute('data-state', 'error');
    $('fatal').textContent = text;
    $('fatal').hidden = false;
  }

  api('GET', '/api/users/me').then(function (r) {
    if (r.status === 401) {
      ui.state = 'login';
      $('app').setAttribute('data-state', 'login');
      $('login').hidden = false;
      return;
    }
    if (!r.ok || !r.body || !r.body.overlay_id) { fatal('Could not load your profile (' + detail(r.body, 'HTTP ' + r.status) + ').'); return; }
    me = r.body;
    $('who').textContent = me.twitch_display_name || me.username || '';
    if (me.riot_id) $('riot-id').value = me.riot_id;
    if (me.has_hdev_api_key && me.hdev_api_key_masked) $('hdev-key').placeholder = 'saved: ' + me.hdev_api_key_masked;
    $('logout').hidden = false;
    $('logout').addEventListener('click', function () {
      api('POST', '/api/auth/logout', {}).then(function () { location.href = '/'; }, function () { location.href = '/'; });
    });
    $('obs-url').value = location.origin + '/overlay/' + me.overlay_id;
    // The saved settings first: a fresh browser must never overwrite them with defaults.
    return api('GET', '/api/overlay/' + encodeURIComponent(me.overlay_id)).then(function (s) {
      if (!s.ok) { fatal('Could not load your overlay settings (' + detail(s.body, 'HTTP ' + s.status) + ').'); return; }
      settings = s.body;
      return loadStats().then(function () {
        fillForm();
        $('editor').hidden = false;
        drawPreview();
        $('riot-form').addEventListener('submit', onRiot);
        $('reset-session').addEventListener('click', onReset);
        $('copy-url').addEventListener('click', onCopy);
        ui.state = 'ready';
        $('app').setAttribute('data-state', 'ready');
      });
    });
  }).catch(function () { fatal('Could not reach the server.'); });
})();
