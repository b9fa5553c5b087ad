import { ALL_AGENCIES, ChronologyEntry, Rating } from '@mash/contracts';
import type { BoardAgency, BoardCase } from '../board/board.query';
import type { CasePicture } from '../status/status.repository';
import type { RatingStage } from '../status/status.repository';
import type { FormError } from './decisionForm';
import { Html, html, timeLeft, when } from './html';

/** Who is signed in, and the token their forms carry against cross-site requests. */
export interface Viewer {
  name: string;
  csrf: string;
}

const RATING_ORDER: Record<Rating, number> = { RED: 0, AMBER: 1, GREEN: 2, BLUE: 3 };
const REPLY_WORDS: Record<string, string> = {
  replied: 'Replied',
  late: 'Replied late',
  missing: 'No reply (missing)',
  escalated: 'No reply yet, escalated',
  reminded: 'No reply yet, reminded',
  requested: 'No reply yet',
};

export function layout(title: string, viewer: Viewer | undefined, main: Html, opts: { scripts?: string[]; current?: string } = {}): string {
  const nav = viewer
    ? html`<nav aria-label="Workspace"><ul>
        <li><a href="/workspace"${opts.current === 'queue' ? html` aria-current="page"` : ''}>Queue</a></li>
        <li><a href="/workspace/indicators"${opts.current === 'indicators' ? html` aria-current="page"` : ''}>Indicators</a></li>
        <li><a href="/workspace/ops"${opts.current === 'ops' ? html` aria-current="page"` : ''}>Ops</a></li>
      </ul>
      <form method="post" action="/workspace/logout" class="signout"><span>Signed in as ${viewer.name}</span>
        <input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit" class="secondary">Sign out</button></form></nav>`
    : '';
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - MASH decision workspace</title>
<link rel="stylesheet" href="/workspace/assets/workspace.css">
${(opts.scripts ?? []).map((s) => html`<script src="/workspace/assets/${s}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><span class="brand">MASH decision workspace</span>${nav}</header>
<main id="main" tabindex="-1">${main}</main>
</body>
</html>`.markup;
}

const ratingTag = (r: Rating | string) => html`<strong class="tag rating-${r}">${r}</strong>`;
const countdown = (deadline: string | Date, secondsLeft: number) =>
  html`<span class="countdown${secondsLeft < 0 ? ' overdue' : ''}" data-deadline="${new Date(deadline).toISOString()}">${timeLeft(secondsLeft)}</span>`;

/** Ready cases first, then those still in checks; within each, by rating, then least time left. */
export function queueOrder(cases: BoardCase[]): { ready: BoardCase[]; inChecks: BoardCase[] } {
  const sorted = [...cases].sort(
    (a, b) => RATING_ORDER[a.rating] - RATING_ORDER[b.rating] || a.secondsLeft - b.secondsLeft || a.caseId.localeCompare(b.caseId),
  );
  return { ready: sorted.filter((c) => c.readyForDecision), inChecks: sorted.filter((c) => !c.readyForDecision) };
}

function queueTable(caption: string, id: string, cases: BoardCase[]): Html {
  if (!cases.length) return html`<h2 id="${id}">${caption}</h2><p>None.</p>`;
  return html`<h2 id="${id}">${caption}</h2>
<table aria-labelledby="${id}"><thead><tr><th scope="col">Rating</th><th scope="col">Case</th><th scope="col">Time left</th><th scope="col">Deadline</th><th scope="col">Replies</th></tr></thead>
<tbody>${cases.map((c) => {
    const replied = c.agencies.filter((a) => a.status === 'replied' || a.status === 'late').length;
    return html`<tr data-case-id="${c.caseId}" data-rating="${c.rating}"><td>${ratingTag(c.rating)}</td>
<td><a href="/workspace/cases/${encodeURIComponent(c.caseId)}">Case ${c.caseId}</a></td>
<td>${countdown(c.deadline, c.secondsLeft)}</td><td>${when(c.deadline)}</td><td>${replied} of ${c.agencies.length} agencies</td></tr>`;
  })}</tbody></table>`;
}

export function queuePage(viewer: Viewer, cases: BoardCase[], total: number): string {
  const { ready, inChecks } = queueOrder(cases);
  return layout(
    'Queue',
    viewer,
    html`<h1>Cases waiting for a decision</h1>
<p>${total} open ${total === 1 ? 'case' : 'cases'}${total > cases.length ? html`, the ${cases.length} nearest their deadline shown` : ''}. Red first, then by time left.</p>
${queueTable('Ready for decision', 'ready', ready)}
${queueTable('Still in checks, by deadline', 'in-checks', inChecks)}`,
    { scripts: ['countdown.js'], current: 'queue' },
  );
}

function stage(label: string, s: RatingStage | null): Html {
  if (!s) return html`<h3>${label}</h3><p>Not rated yet.</p>`;
  return html`<h3>${label}: ${ratingTag(s.rating)}</h3>
<p>Rated ${when(s.ratedAt)} under policy ${s.policyVersion}. Rules: ${s.ruleIds.length ? s.ruleIds.join(', ') : 'none'}.</p>
<ul>${s.reasons.map((r) => html`<li>${r}</li>`)}</ul>`;
}

function person(s: CasePicture['subjects']['children'][number]): Html {
  const name = [s.givenName, s.familyName].filter(Boolean).join(' ') || (s.kind === 'unborn' ? 'Unborn child' : 'Name not given');
  const born = s.dateOfBirth ? `born ${s.dateOfBirth}` : s.expectedDate ? `expected ${s.expectedDate}` : 'date of birth not given';
  const ids = Object.entries(s.identifiers ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return html`<tr><td>${name}</td><td>${born}</td><td>${s.role ?? ''}</td><td>${s.school ?? s.gpPractice ?? ''}</td><td>${ids}</td><td>${s.contactId}</td></tr>`;
}

function people(caption: string, list: CasePicture['subjects']['children']): Html {
  if (!list.length) return html`<h3>${caption}</h3><p>None recorded.</p>`;
  return html`<table><caption>${caption}</caption><thead><tr><th scope="col">Name</th><th scope="col">Born</th><th scope="col">Role</th><th scope="col">School or GP</th><th scope="col">Identifiers</th><th scope="col">From contact</th></tr></thead>
<tbody>${list.map(person)}</tbody></table>`;
}

function reply(agency: BoardAgency, entries: ChronologyEntry[]): Html {
  const late = agency.status === 'late';
  return html`<section class="reply" data-agency="${agency.agency}" data-status="${agency.status}" aria-labelledby="reply-${agency.agency}">
<h3 id="reply-${agency.agency}">${agency.agency} <span class="tag status-${agency.status}">${REPLY_WORDS[agency.status] ?? agency.status}</span></h3>
<p>Due ${when(agency.dueAt)}${agency.repliedAt ? html`; replied ${when(agency.repliedAt)}${late ? html` <strong>(after the due time)</strong>` : ''}` : ''}${agency.reminders ? `; ${agency.reminders} reminder(s) sent` : ''}.</p>
${
  agency.repliedAt
    ? entries.length
      ? html`<ul class="entries">${entries.map((e) => html`<li><span class="date">${e.date}</span> ${e.category ? html`<span class="cat">${e.category}</span>` : ''} ${e.summary}${e.current ? ' (current involvement)' : ''}</li>`)}</ul>`
      : html`<p>Known to ${agency.agency}: nothing held about these people.</p>`
    : html`<p>No reply from ${agency.agency}.</p>`
}
</section>`;
}

function fieldError(errors: FormError[], field: string): Html {
  const e = errors.filter((x) => x.field === field);
  return e.length
    ? html`<p class="error-message" id="${field}-error"><span class="visually-hidden">Error:</span> ${e.map((x) => x.message).join('; ')}</p>`
    : html``;
}

const describedBy = (errors: FormError[], field: string) =>
  errors.some((e) => e.field === field) ? html` aria-describedby="${field}-error" aria-invalid="true"` : '';

export interface CasePageInput {
  viewer: Viewer;
  picture: CasePicture;
  agencies: BoardAgency[];
  outcomes: string[];
  decision?: { decisionId: string; decidedAt: string; outcomes: string[]; finalRating: string; decisionMaker: { name: string } };
  errors?: FormError[];
  form?: URLSearchParams;
  notice?: string;
  now?: number;
}

export function casePage(input: CasePageInput): string {
  const { viewer, picture: c, agencies, outcomes } = input;
  const errors = input.errors ?? [];
  const form = input.form ?? new URLSearchParams();
  const now = input.now ?? Date.now();
  const secondsLeft = Math.round((new Date(c.deadline).getTime() - now) / 1000);
  const byAgency = (a: string) => c.chronology.filter((e) => e.agency === a);
  const chronology = [...c.chronology].sort((a, b) => a.date.localeCompare(b.date));
  const value = (name: string, fallback = '') => form.get(name) ?? fallback;
  const chosen = form.getAll('outcomes');
  const ratings: Rating[] = ['RED', 'AMBER', 'GREEN', 'BLUE'];

  const summary = errors.length
    ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><h2>There is a problem</h2><ul>${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}</ul></div>`
    : '';

  const decided = input.decision
    ? html`<div class="banner" role="status" id="decided"><h2>Decision recorded</h2><p>${input.decision.decisionId}: ${input.decision.outcomes.join(', ')}, final rating ${input.decision.finalRating}, by ${input.decision.decisionMaker.name}, ${when(input.decision.decidedAt)}.</p></div>`
    : '';

  const decisionForm = input.decision
    ? ''
    : html`<h2 id="decide">Record the decision</h2>
${c.ready ? '' : html`<p class="warning">Checks are not complete. A decision now needs an urgent override with its reason.</p>`}
<form method="post" action="/workspace/cases/${encodeURIComponent(c.caseId)}/decision" novalidate>
<input type="hidden" name="csrf" value="${viewer.csrf}">
<fieldset id="outcomes"${describedBy(errors, 'outcomes')}><legend>Outcomes (the locality policy's list)</legend>${fieldError(errors, 'outcomes')}
${outcomes.map((o) => html`<div class="choice"><input type="checkbox" name="outcomes" value="${o}" id="outcome-${o}"${chosen.includes(o) ? html` checked` : ''}><label for="outcome-${o}">${o}</label></div>`)}
</fieldset>
<label for="finalRating">Final rating</label>${fieldError(errors, 'finalRating')}
<select name="finalRating" id="finalRating"${describedBy(errors, 'finalRating')}>${ratings.map((r) => html`<option value="${r}"${value('finalRating', c.rating) === r ? html` selected` : ''}>${r}</option>`)}</select>
<label for="ratingChangeReason">Reason for changing the rating (required when the final rating is not ${c.rating})</label>${fieldError(errors, 'ratingChangeReason')}
<textarea name="ratingChangeReason" id="ratingChangeReason" rows="3"${describedBy(errors, 'ratingChangeReason')}>${value('ratingChangeReason')}</textarea>
<label for="teamName">Responsible team</label>${fieldError(errors, 'teamName')}
<input type="text" name="teamName" id="teamName" value="${value('teamName')}" autocomplete="off"${describedBy(errors, 'teamName')}>
<label for="teamInHours">Team telephone, in hours</label>${fieldError(errors, 'teamInHours')}
<input type="tel" name="teamInHours" id="teamInHours" value="${value('teamInHours')}"${describedBy(errors, 'teamInHours')}>
<label for="teamOutOfHours">Out of hours contact (optional)</label>${fieldError(errors, 'teamOutOfHours')}
<input type="text" name="teamOutOfHours" id="teamOutOfHours" value="${value('teamOutOfHours')}">
<label for="nextSteps">Next steps (optional)</label>${fieldError(errors, 'nextSteps')}
<textarea name="nextSteps" id="nextSteps" rows="3">${value('nextSteps')}</textarea>
<fieldset><legend>Dissent (optional): an agency that disagrees</legend>
<label for="dissentAgency">Agency</label>${fieldError(errors, 'dissentAgency')}
<select name="dissentAgency" id="dissentAgency"><option value="">None</option>${ALL_AGENCIES.map((a) => html`<option value="${a}"${value('dissentAgency') === a ? html` selected` : ''}>${a}</option>`)}</select>
<label for="dissentName">Name of the person disagreeing</label>${fieldError(errors, 'dissentName')}
<input type="text" name="dissentName" id="dissentName" value="${value('dissentName')}">
<label for="dissentView">Their view</label>${fieldError(errors, 'dissentView')}
<textarea name="dissentView" id="dissentView" rows="2">${value('dissentView')}</textarea>
</fieldset>
<fieldset><legend>Urgent override</legend>
<div class="choice"><input type="checkbox" name="urgent" value="yes" id="urgent"${form.get('urgent') === 'yes' ? html` checked` : ''}><label for="urgent">Decide now, before checks are complete</label></div>
<label for="urgentReason">Reason for deciding now</label>${fieldError(errors, 'urgentReason')}
<textarea name="urgentReason" id="urgentReason" rows="2"${describedBy(errors, 'urgentReason')}>${value('urgentReason')}</textarea>
</fieldset>
<button type="submit">Record decision</button>
</form>
<h2 id="consent">Share without consent</h2>
<form method="post" action="/workspace/cases/${encodeURIComponent(c.caseId)}/consent-override" novalidate>
<input type="hidden" name="csrf" value="${viewer.csrf}">
<fieldset id="basis"${describedBy(errors, 'basis')}><legend>Lawful basis</legend>${fieldError(errors, 'basis')}
<div class="choice"><input type="radio" name="basis" value="section-47" id="basis-s47"><label for="basis-s47">Section 47 enquiry</label></div>
<div class="choice"><input type="radio" name="basis" value="risk-of-significant-harm" id="basis-harm"><label for="basis-harm">Risk of significant harm</label></div>
</fieldset>
<label for="reason">Reason</label>${fieldError(errors, 'reason')}
<textarea name="reason" id="reason" rows="2"${describedBy(errors, 'reason')}></textarea>
<button type="submit" class="secondary">Record consent override</button>
</form>`;

  return layout(
    `Case ${c.caseId}`,
    viewer,
    html`${summary}${decided}${input.notice ? html`<div class="banner" role="status"><p>${input.notice}</p></div>` : ''}
<h1>Case ${c.caseId} ${ratingTag(c.rating)}</h1>
<p class="lead">${c.ready ? 'Ready for decision.' : 'Checks in progress.'} Decision due ${when(c.deadline)}: ${countdown(c.deadline, secondsLeft)}.
${c.missing.length ? html` Missing at readiness: ${c.missing.join(', ')}.` : ''}</p>
<h2>Who the case is about</h2>
${people('Children', c.subjects.children)}
${people('Adults', c.subjects.adults)}
<h3>Households</h3>
${c.subjects.households.length ? html`<ul>${c.subjects.households.map((h) => html`<li>${[...(h.address?.lines ?? []), h.address?.town, h.address?.postcode].filter(Boolean).join(', ') || 'No address'}${h.relationships?.length ? html`; ${h.relationships.map((r) => `${r.from} is ${r.type} of ${r.to}`).join('; ')}` : ''} (contact ${h.contactId})</li>`)}</ul>` : html`<p>None recorded.</p>`}
<h3>Presenting issues</h3>
<ul>${c.presentingIssues.map((i) => html`<li>${i.code}${i.label ? ` ${i.label}` : ''}${i.coding ? ` (${i.coding.system} ${i.coding.code}${i.coding.display ? ` ${i.coding.display}` : ''})` : ''}, from ${i.agency}</li>`)}</ul>
<h2>Rating</h2>
${stage('At the start of checks', c.ratingStart)}
${stage('At the end of checks', c.ratingEnd)}
<h2 id="replies">Agencies' replies</h2>
${agencies.length ? agencies.map((a) => reply(a, byAgency(a.agency))) : html`<p>No agency was asked.</p>`}
<h2>Chronology</h2>
${
  chronology.length
    ? html`<table><thead><tr><th scope="col">Date</th><th scope="col">Agency</th><th scope="col">Category</th><th scope="col">What</th></tr></thead>
<tbody>${chronology.map((e) => html`<tr><td>${e.date}</td><td>${e.agency}${e.late ? html` <strong>(late reply)</strong>` : ''}</td><td>${e.category ?? ''}</td><td>${e.summary}</td></tr>`)}</tbody></table>`
    : html`<p>No entries yet.</p>`
}
${decisionForm}`,
    { scripts: ['countdown.js'] },
  );
}

export function messagePage(title: string, message: string, viewer?: Viewer, link?: { href: string; text: string }): string {
  return layout(title, viewer, html`<h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : ''}`);
}
