import { readFileSync } from 'node:fs';

/**
 * The workspace's own style and script, served as files so the pages' Content-Security-Policy can
 * forbid every inline script and style. Colours meet WCAG 2.2 AA contrast (4.5:1 for text).
 */
export const WORKSPACE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 19px/1.45 "Liberation Sans", Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #ffdd00; color: #0b0c0c; padding: 8px; z-index: 10; }
header { background: #0b0c0c; color: #fff; padding: 10px 24px; display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: center; }
header .brand { font-weight: 700; font-size: 22px; }
header nav { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; flex: 1; }
header nav ul { list-style: none; display: flex; gap: 20px; margin: 0; padding: 0; }
header a { color: #fff; }
header a[aria-current=page] { font-weight: 700; }
.signout { margin-left: auto; display: flex; align-items: center; gap: 12px; }
main { padding: 16px 24px 48px; max-width: 1200px; }
main:focus { outline: none; }
a { color: #1d4f91; }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #ffdd00; box-shadow: 0 4px 0 #0b0c0c; }
h1 { font-size: 34px; margin: 16px 0; }
h2 { font-size: 27px; margin: 32px 0 12px; }
h3 { font-size: 22px; margin: 20px 0 8px; }
table { border-collapse: collapse; width: 100%; margin-bottom: 16px; }
caption { text-align: left; font-weight: 700; font-size: 22px; padding: 8px 0; }
th, td { text-align: left; border-bottom: 1px solid #b1b4b6; padding: 8px 12px 8px 0; vertical-align: top; }
.tag { display: inline-block; padding: 2px 8px; font-size: 16px; font-weight: 700; letter-spacing: 1px; text-transform: uppercase; }
.rating-RED { background: #b10e1e; color: #fff; } .rating-AMBER { background: #ffdd00; color: #0b0c0c; }
.rating-GREEN { background: #00703c; color: #fff; } .rating-BLUE { background: #1d4f91; color: #fff; }
.status-replied { background: #00703c; color: #fff; } .status-late { background: #ffdd00; color: #0b0c0c; }
.status-missing, .status-escalated { background: #b10e1e; color: #fff; }
.status-requested, .status-reminded { background: #f3f2f1; color: #0b0c0c; border: 1px solid #0b0c0c; }
.countdown { font-weight: 700; font-variant-numeric: tabular-nums; }
.countdown.overdue { color: #b10e1e; }
.reply { border-left: 6px solid #b1b4b6; padding: 4px 16px; margin: 12px 0; }
.reply[data-status=replied] { border-color: #00703c; } .reply[data-status=late] { border-color: #806c00; }
.entries .date { font-variant-numeric: tabular-nums; font-weight: 700; }
.entries .cat { background: #f3f2f1; padding: 0 6px; }
form { max-width: 720px; }
label, legend { display: block; font-weight: 700; margin: 16px 0 4px; }
fieldset { border: 0; padding: 0; margin: 16px 0 0; }
.choice { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.choice label { font-weight: 400; margin: 0; }
.choice input { width: 24px; height: 24px; }
input[type=text], input[type=tel], input[type=date], select, textarea { width: 100%; font: inherit; padding: 6px; border: 2px solid #0b0c0c; }
button { font: inherit; font-weight: 700; background: #00703c; color: #fff; border: 0; padding: 8px 16px; margin-top: 20px; cursor: pointer; box-shadow: 0 2px 0 #002d18; }
button.secondary { background: #f3f2f1; color: #0b0c0c; box-shadow: 0 2px 0 #929191; }
header button.secondary { margin: 0; }
.error-summary { border: 5px solid #b10e1e; padding: 12px 20px; margin: 16px 0; }
.error-summary a { color: #b10e1e; font-weight: 700; }
.error-message { color: #b10e1e; font-weight: 700; margin: 4px 0; }
[aria-invalid=true] { border-color: #b10e1e; }
.banner { border: 5px solid #00703c; padding: 8px 20px; margin: 16px 0; }
.warning { font-weight: 700; border-left: 6px solid #b10e1e; padding-left: 12px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.lead { font-size: 22px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 24px; }
.figures figure { margin: 0; }
.figures canvas { max-width: 100%; }
`;

/** Counts every deadline on the page down each second, in the words the server rendered (html.ts timeLeft). */
export const COUNTDOWN_JS = `(function () {
  'use strict';
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function words(secs) {
    var s = Math.abs(secs), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), x = Math.floor(s % 60);
    var span = d > 0 ? d + 'd ' + h + 'h ' + pad(m) + 'm' : h > 0 ? h + 'h ' + pad(m) + 'm ' + pad(x) + 's' : m + 'm ' + pad(x) + 's';
    return secs >= 0 ? span + ' left' : 'overdue by ' + span;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-deadline]').forEach(function (el) {
      var secs = Math.round((Date.parse(el.getAttribute('data-deadline')) - now) / 1000);
      el.textContent = words(secs);
      el.classList.toggle('overdue', secs < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
`;

/** Chart.js from node_modules (no CDN): the indicators page's charts. */
export function chartJs(): string {
  return readFileSync(require.resolve('chart.js/dist/chart.umd.js'), 'utf8');
}

/** Draws the indicators page's charts from the figures the page carries as JSON (not executable). */
export const INDICATORS_JS = `(function () {
  'use strict';
  var el = document.getElementById('figures');
  if (!el || !window.Chart) return;
  var f = JSON.parse(el.textContent);
  var ink = '#0b0c0c';
  Chart.defaults.color = ink;
  Chart.defaults.font.size = 14;
  function bar(id, title, labels, values, colour, max) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: title, data: values, backgroundColor: colour }] },
      options: { animation: false, plugins: { title: { display: true, text: title } }, scales: { y: { beginAtZero: true, max: max } } }
    });
  }
  var src = f.contacts.bySource;
  bar('chart-source', 'Contacts by referral source', Object.keys(src), Object.values(src), '#1d4f91');
  var g = f.outcomes.byGroup;
  bar('chart-outcomes', 'Decisions by outcome group', Object.keys(g), Object.values(g), '#00703c');
  var r = f.partnerReplies;
  bar('chart-timeliness', 'Replies on time (%)', Object.keys(r), Object.keys(r).map(function (a) { return r[a].shareOnTime === null ? 0 : Math.round(r[a].shareOnTime * 100); }), '#b10e1e', 100);
})();
`;
