import type { GroupLagReport } from '@mash/messaging';
import type { Indicators } from '../indicators/indicators.service';
import { Html, html, when } from './html';
import { layout, Viewer } from './pages';
import type { OpsFigures } from './ops.repository';

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`);

function countsTable(caption: string, head: string, counts: Record<string, number>): Html {
  const entries = Object.entries(counts);
  return html`<table><caption>${caption}</caption><thead><tr><th scope="col">${head}</th><th scope="col">Count</th></tr></thead>
<tbody>${entries.length ? entries.map(([k, n]) => html`<tr><td>${k}</td><td>${n}</td></tr>`) : html`<tr><td colspan="2">None</td></tr>`}</tbody></table>`;
}

/** The indicators: every figure in a table (what a screen reader and the CSV give), charts beside them. */
export function indicatorsPage(viewer: Viewer, from: string, to: string, i: Indicators | undefined, errors: string[]): string {
  const ratings = ['RED', 'AMBER', 'GREEN', 'BLUE'];
  const body = i
    ? html`<p>Contacts received from ${from} to ${to} (both included). <a href="/v1/indicators?from=${from}&amp;to=${to}&amp;format=csv">The same figures as CSV</a> need an API token; this page shows every figure.</p>
<script type="application/json" id="figures">${JSON.stringify(i).replace(/</g, '\\u003c')}</script>
<div class="figures">
<figure><canvas id="chart-source" role="img" aria-label="Bar chart of contacts by referral source; the figures are in the table below"></canvas></figure>
<figure><canvas id="chart-outcomes" role="img" aria-label="Bar chart of decisions by outcome group; the figures are in the table below"></canvas></figure>
<figure><canvas id="chart-timeliness" role="img" aria-label="Bar chart of each agency's share of replies on time; the figures are in the table below"></canvas></figure>
</div>
<h2>Contacts</h2>
<p>${i.contacts.total} contacts; ${i.contacts.repeatWithin12Months} repeat contacts within 12 months (${pct(i.contacts.repeatShare)}).</p>
${countsTable('Contacts by referral source (CIN codes)', 'Source', i.contacts.bySource)}
${countsTable('Contacts by presenting issue', 'Issue', i.contacts.byPresentingIssue)}
<h2>Rating at start and at end</h2>
<table><caption>Change matrix: rating at the start of checks (rows) by the decision's final rating (columns); ${i.ratings.undecided} not decided yet</caption>
<thead><tr><th scope="col">Start</th>${ratings.map((r) => html`<th scope="col">${r}</th>`)}<th scope="col">All at start</th></tr></thead>
<tbody>${ratings.map((s) => html`<tr><th scope="row">${s}</th>${ratings.map((e) => html`<td>${i.ratings.changeMatrix[s][e]}</td>`)}<td>${i.ratings.atStart[s]}</td></tr>`)}
<tr><th scope="row">All at end</th>${ratings.map((e) => html`<td>${i.ratings.atEnd[e]}</td>`)}<td></td></tr></tbody></table>
<h2>Time in MASH against the timescale</h2>
<table><thead><tr><th scope="col">Rating at start</th><th scope="col">Decided</th><th scope="col">Within timescale</th><th scope="col">Share within</th><th scope="col">Median hours</th></tr></thead>
<tbody>${ratings.map((r) => {
        const t = i.timeInMash[r];
        return html`<tr><th scope="row">${r}</th><td>${t.decided}</td><td>${t.withinTarget}</td><td>${pct(t.shareWithinTarget)}</td><td>${t.medianHours ?? 'n/a'}</td></tr>`;
      })}</tbody></table>
<h2>Outcomes</h2>
<p>${i.outcomes.decisions} decisions.</p>
${countsTable('Decisions by outcome group', 'Group', i.outcomes.byGroup)}
${countsTable('Outcomes recorded', 'Outcome', i.outcomes.byOutcome)}
<h2>Partner replies</h2>
<table><thead><tr><th scope="col">Agency</th><th scope="col">Asked</th><th scope="col">On time</th><th scope="col">Late</th><th scope="col">No reply</th><th scope="col">Share on time</th></tr></thead>
<tbody>${Object.entries(i.partnerReplies).map(([a, r]) => html`<tr><th scope="row">${a}</th><td>${r.requested}</td><td>${r.onTime}</td><td>${r.late}</td><td>${r.noReply}</td><td>${pct(r.shareOnTime)}</td></tr>`)}</tbody></table>
<h2>Referrers and notices</h2>
<p>${i.referrersWithoutChannel.total} referrers could not be told (no channel). Outcome notices: ${i.notices.delivered} delivered, ${i.notices.failed} failed, ${i.notices.noChannel} with no channel.</p>
${countsTable('Referrers with no channel, by reason', 'Reason', i.referrersWithoutChannel.byReason)}`
    : '';
  return layout(
    'Indicators',
    viewer,
    html`<h1>Partnership indicators</h1>
${errors.length ? html`<div class="error-summary" role="alert"><h2>There is a problem</h2><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
<form method="get" action="/workspace/indicators">
<label for="from">From (YYYY-MM-DD)</label><input type="text" name="from" id="from" value="${from}" inputmode="numeric">
<label for="to">To (YYYY-MM-DD, included)</label><input type="text" name="to" id="to" value="${to}" inputmode="numeric">
<button type="submit">Show</button>
</form>
${body}`,
    { scripts: i ? ['chart.umd.js', 'indicators.js'] : [], current: 'indicators' },
  );
}

export function opsPage(
  viewer: Viewer,
  groups: GroupLagReport[],
  absent: string[],
  sampledAt: string | undefined,
  ops: OpsFigures,
): string {
  return layout(
    'Ops',
    viewer,
    html`<h1>Ops view</h1>
<h2>Consumer lag</h2>
<p>Last sample ${sampledAt ? when(sampledAt) : 'not taken yet'}. Status per group by Burrow's rules; the rule that fired is the worst partition's.</p>
<table><thead><tr><th scope="col">Group</th><th scope="col">Status</th><th scope="col">Rule</th><th scope="col">Messages behind</th><th scope="col">Seconds behind</th></tr></thead>
<tbody>${groups.map((g) => {
      const worst = [...g.partitions].sort((a, b) => b.lag - a.lag)[0];
      return html`<tr data-group="${g.group}"><th scope="row">${g.group}</th><td>${g.status}</td><td>${worst?.rule ?? ''}</td><td>${g.totalLag}</td><td>${Math.round(g.maxLagSeconds)}</td></tr>`;
    })}</tbody></table>
${absent.length ? html`<p>Groups with no trace at the broker: ${absent.join(', ')}.</p>` : ''}
<h2>Quarantined input, last 7 days</h2>
<table><thead><tr><th scope="col">Channel</th><th scope="col">Reason</th><th scope="col">Count</th><th scope="col">Last</th></tr></thead>
<tbody>${ops.quarantine.length ? ops.quarantine.map((q) => html`<tr><td>${q.channel}</td><td>${q.reason}</td><td>${q.count}</td><td>${when(q.last)}</td></tr>`) : html`<tr><td colspan="4">None</td></tr>`}</tbody></table>
<h2>Outcome notices</h2>
<p>${ops.notices.failed} failed, ${ops.notices.noChannel} with no channel, ${ops.notices.delivered} delivered.</p>
<h2>Agencies overdue on open cases</h2>
<table><thead><tr><th scope="col">Agency</th><th scope="col">Replies overdue</th><th scope="col">Oldest due</th></tr></thead>
<tbody>${ops.overdueAgencies.length ? ops.overdueAgencies.map((o) => html`<tr><th scope="row">${o.agency}</th><td>${o.overdue}</td><td>${when(o.oldestDueAt)}</td></tr>`) : html`<tr><td colspan="3">None</td></tr>`}</tbody></table>`,
    { current: 'ops' },
  );
}
