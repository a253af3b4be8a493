// The landing page's streamers spotlight, from GET /api/streamers/mixed-sort and /stats. Avatars
// stay letters unless the server allows remote images (they would come from Twitch's CDN).
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('valory-config').textContent);
  var list = document.getElementById('spot-list');
  var counters = document.getElementById('spot-stats');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function json(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  json('/api/streamers/mixed-sort?limit=20&verified_only=false&refresh_cache=false').then(function (rows) {
    list.replaceChildren();
    list.setAttribute('data-state', 'ready');
    if (!rows.length) list.appendChild(el('li', 'muted', 'No streamers to show yet.'));
    rows.forEach(function (s) {
      var li = el('li', 'streamer' + (s.live ? ' live' : ''));
      li.setAttribute('data-login', s.username);
      var av;
      if (cfg.remoteAvatars && /^https:\/\//.test(s.img || '')) {
        av = el('img', 'avatar');
        av.src = s.img;
        av.alt = '';
        av.loading = 'lazy';
      } else {
        av = el('span', 'avatar letter', (s.username || '?').charAt(0).toUpperCase());
        av.setAttribute('aria-hidden', 'true');
      }
      var a = el('a', 'name', s.username);
      a.href = 'https://twitch.tv/' + encodeURIComponent(s.username);
      a.rel = 'noopener';
      li.append(av, a);
      if (s.verified) li.appendChild(el('span', 'badge', 'partner'));
      li.appendChild(el('span', 'meta', s.live ? 'LIVE · ' + (s.viewers || 0) + ' viewers' : s.followers + ' followers'));
      list.appendChild(li);
    });
  }).catch(function () {
    list.setAttribute('data-state', 'error');
    list.replaceChildren(el('li', 'muted', 'The spotlight is unavailable right now.'));
  });

  json('/api/streamers/stats').then(function (s) {
    [['Streamers', s.total_streamers], ['Followers', s.total_followers], ['Live now', s.online_streamers],
      ['Watching', s.total_viewers]].forEach(function (p) {
      var d = el('div', 'counter');
      d.append(el('dt', '', p[0]), el('dd', '', Number(p[1] || 0).toLocaleString('en')));
      counters.appendChild(d);
    });
  }).catch(function () { counters.hidden = true; });
})();
