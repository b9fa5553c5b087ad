import { createHash } from 'node:crypto';

/**
 * The wall board (Nottinghamshire shows each case's RAG and whether partners reply in time on two
 * large screens, docs/domain.md "Checks"). One self-contained page: no external assets, no build step.
 * The token is read from location.hash (#token=...): a fragment is never sent to the server, so it
 * stays out of access logs and Referer headers. Data is written with textContent only.
 */
const STYLE = `
:root { color-scheme: dark; }
* { box-sizing: border-box; }
body { margin: 0; background: #0b0c0c; color: #fff; font: 20px/1.3 "Liberation Sans", Arial, Helvetica, sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 28px; padding: 14px 22px; background: #000; border-bottom: 3px solid #fff; }
h1 { font-size: 30px; margin: 0 12px 0 0; }
.count { font-size: 24px; font-weight: 700; white-space: nowrap; }
.count b { font-size: 34px; margin-left: 6px; }
.replies { font-size: 20px; color: #f3f2f1; white-space: nowrap; }
.replies span { margin-right: 14px; }
#state { margin-left: auto; font-size: 20px; font-weight: 700; padding: 6px 12px; border: 3px solid #fff; }
#state.live { border-color: #00a85a; }
#state.stale, #state.refused, #state.notoken { background: #ffdd00; color: #0b0c0c; border-color: #ffdd00; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 16px; padding: 16px 22px; }
.tile { background: #1d1d1d; border: 3px solid #505a5f; border-left-width: 22px; padding: 12px 16px; }
.tile.RED { border-left-color: #d4351c; } .tile.AMBER { border-left-color: #ffdd00; }
.tile.GREEN { border-left-color: #00703c; } .tile.BLUE { border-left-color: #1d70b8; }
.tile.overdue { border-color: #d4351c; border-style: solid; }
.top { display: flex; align-items: center; gap: 12px; }
.rating { font-weight: 700; font-size: 24px; padding: 2px 10px; letter-spacing: 1px; }
.rating.RED { background: #d4351c; color: #fff; } .rating.AMBER { background: #ffdd00; color: #0b0c0c; }
.rating.GREEN { background: #00703c; color: #fff; } .rating.BLUE { background: #1d70b8; color: #fff; }
.case { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 18px; color: #f3f2f1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.left { font-size: 40px; font-weight: 700; margin: 8px 0 4px; }
.left.overdue { color: #ff8c7a; }
.due { font-size: 18px; color: #f3f2f1; margin-bottom: 6px; }
.ready { display: inline-block; font-size: 18px; font-weight: 700; border: 2px solid #fff; padding: 0 8px; margin-bottom: 6px; }
ul { list-style: none; margin: 6px 0 0; padding: 0; }
li { display: flex; justify-content: space-between; align-items: center; padding: 4px 0; border-top: 1px solid #3a3a3a; font-size: 22px; }
.st { font-weight: 700; font-size: 18px; padding: 2px 10px; text-transform: uppercase; letter-spacing: 1px; border: 2px solid transparent; }
.st.replied { background: #00703c; color: #fff; }
.st.late { background: #ffdd00; color: #0b0c0c; }
.st.requested { border-color: #fff; color: #fff; }
.st.reminded { border-color: #ffdd00; border-style: dashed; color: #ffdd00; }
.st.escalated { background: #d4351c; color: #fff; }
.st.missing { background: #fff; color: #d4351c; border-color: #d4351c; }
#more, #empty { padding: 0 22px 20px; font-size: 22px; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var POLL_MS = 2000, STALE_MS = 10000;
  var board = null, offset = 0, lastOk = 0;
  var stateEl = document.getElementById('state');
  function token() { return new URLSearchParams(location.hash.slice(1)).get('token') || ''; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function state(kind, text) { stateEl.className = kind; stateEl.textContent = text; }
  function span(secs) {
    var s = Math.abs(secs), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + (m < 10 ? '0' : '') + m + 'm';
    return m + 'm ' + (s % 60 < 10 ? '0' : '') + Math.floor(s % 60) + 's';
  }
  function leftText(secs) { return secs >= 0 ? span(secs) + ' left' : 'OVERDUE ' + span(secs); }
  function secondsLeft(c) { return Math.round((Date.parse(c.deadline) - (Date.now() + offset)) / 1000); }
  var LABEL = { requested: 'requested', reminded: 'reminded', escalated: 'escalated', missing: 'missing', replied: 'replied', late: 'replied late' };
  function render() {
    if (!board) return;
    var k = board.counts;
    ['open', 'readyForDecision', 'overdue'].forEach(function (n) { document.getElementById('n-' + n).textContent = k[n]; });
    ['RED', 'AMBER', 'GREEN', 'BLUE'].forEach(function (r) { document.getElementById('n-' + r).textContent = k.byRating[r]; });
    var rep = document.getElementById('replies'); rep.textContent = '';
    rep.appendChild(el('span', null, 'Replies:'));
    Object.keys(k.byReplyStatus).forEach(function (s) { rep.appendChild(el('span', null, LABEL[s] + ' ' + k.byReplyStatus[s])); });
    var main = document.getElementById('tiles'); main.textContent = '';
    var cases = board.cases.slice().sort(function (a, b) { return secondsLeft(a) - secondsLeft(b); });
    cases.forEach(function (c) {
      var secs = secondsLeft(c);
      var t = el('section', 'tile ' + c.rating + (secs < 0 ? ' overdue' : ''));
      t.setAttribute('data-case-id', c.caseId);
      t.setAttribute('aria-label', c.rating + ' case ' + c.caseId);
      var top = el('div', 'top');
      top.appendChild(el('span', 'rating ' + c.rating, c.rating));
      top.appendChild(el('span', 'case', c.caseId));
      t.appendChild(top);
      var left = el('div', 'left' + (secs < 0 ? ' overdue' : ''), leftText(secs));
      left.setAttribute('data-deadline', c.deadline);
      left.setAttribute('data-role', 'time-left');
      t.appendChild(left);
      t.appendChild(el('div', 'due', 'deadline ' + new Date(c.deadline).toLocaleString('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' })));
      if (c.readyForDecision) t.appendChild(el('div', 'ready', 'READY FOR DECISION'));
      var ul = el('ul');
      c.agencies.forEach(function (a) {
        var li = el('li');
        li.setAttribute('data-agency', a.agency);
        li.setAttribute('data-status', a.status);
        li.appendChild(el('span', null, a.agency));
        li.appendChild(el('span', 'st ' + a.status, LABEL[a.status] + (a.status === 'reminded' && a.reminders > 1 ? ' x' + a.reminders : '')));
        ul.appendChild(li);
      });
      t.appendChild(ul);
      main.appendChild(t);
    });
    document.getElementById('more').textContent = board.shown < k.open ? 'Showing the ' + board.shown + ' most urgent of ' + k.open + ' open cases.' : '';
    document.getElementById('empty').textContent = k.open === 0 ? 'No open cases.' : '';
  }
  function tick() {
    document.querySelectorAll('[data-role=time-left]').forEach(function (e) {
      var secs = Math.round((Date.parse(e.getAttribute('data-deadline')) - (Date.now() + offset)) / 1000);
      e.textContent = leftText(secs);
    });
    if (lastOk && Date.now() - lastOk > STALE_MS) state('stale', 'NOT UPDATING since ' + new Date(lastOk).toLocaleTimeString('en-GB'));
  }
  // A screen whose token stops working must not go on showing the last picture as if it were live.
  function clear() { board = null; lastOk = 0; document.getElementById('tiles').textContent = ''; }
  function poll() {
    var tok = token();
    if (!tok) { clear(); state('notoken', 'NO TOKEN: open /board#token=...'); setTimeout(poll, POLL_MS); return; }
    fetch('/v1/board?limit=120', { headers: { authorization: 'Bearer ' + tok }, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) { clear(); state('refused', 'ACCESS REFUSED: check the token'); return null; }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (b) {
        if (!b) return;
        board = b; offset = Date.parse(b.generatedAt) - Date.now(); lastOk = Date.now();
        state('live', 'LIVE ' + new Date(Date.now() + offset).toLocaleTimeString('en-GB'));
        render();
      })
      .catch(function () { tick(); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  setInterval(tick, 1000);
  poll();
})();
`;

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** Only this page's own script and style may run; it may talk to its own origin and nothing else. */
export const BOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha(SCRIPT)}`,
  `style-src ${sha(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const BOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>MASH board</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>MASH open cases</h1>
  <span class="count">Open<b id="n-open">-</b></span>
  <span class="count">Red<b id="n-RED">-</b></span>
  <span class="count">Amber<b id="n-AMBER">-</b></span>
  <span class="count">Green<b id="n-GREEN">-</b></span>
  <span class="count">Blue<b id="n-BLUE">-</b></span>
  <span class="count">Ready<b id="n-readyForDecision">-</b></span>
  <span class="count">Overdue<b id="n-overdue">-</b></span>
  <span id="state" class="notoken" role="status">CONNECTING</span>
  <div id="replies" class="replies"></div>
</header>
<main id="tiles" aria-live="polite"></main>
<p id="more"></p>
<p id="empty"></p>
<script>${SCRIPT}</script>
</body>
</html>
`;
