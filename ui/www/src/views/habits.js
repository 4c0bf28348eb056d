// Sending habits: an account's score against the rule set — a gauge, the points lost by
// area, the rules that fired (heaviest first) with the metric values that fired them and the
// fix, the Gmail / Yahoo / Microsoft scorecard, the metrics, and day-by-day charts. All text
// goes in as text nodes; the charts are SVG built node by node.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { fillAccountSelect, loadAccounts } from '../current.js';
import { table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').ScoreDto} ScoreDto */
/** @typedef {import('../bindings').DayTrend} DayTrend */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** @param {number} t */
function day(t) {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** @param {unknown} v */
function show(v) {
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.join(', ');
  if (typeof v === 'number' && !Number.isInteger(v)) return v < 1 ? `${(v * 100).toFixed(2)} %` : v.toFixed(2);
  return String(v);
}

/**
 * A half-circle gauge with the score in its middle.
 * @param {number} score
 * @param {string} [id]
 */
export function gauge(score, id = 'hb-gauge') {
  const svg = s('svg', { id, width: 220, height: 130, role: 'img', 'aria-label': `score ${score} of 100` });
  const arc = (/** @type {number} */ from, /** @type {number} */ to, /** @type {string} */ cls) => {
    const p = (/** @type {number} */ f) => {
      const a = Math.PI * (1 - f);
      return `${110 + 90 * Math.cos(a)} ${115 - 90 * Math.sin(a)}`;
    };
    return s('path', { d: `M ${p(from)} A 90 90 0 0 1 ${p(to)}`, class: cls, fill: 'none', 'stroke-width': 16 });
  };
  svg.append(arc(0, 1, 'gauge-track'));
  if (score > 0) svg.append(arc(0, Math.min(score, 99.9) / 100, score >= 80 ? 'gauge-good' : score >= 50 ? 'gauge-fair' : 'gauge-poor'));
  svg.append(s('text', { x: 110, y: 105, 'text-anchor': 'middle', class: 'gauge-value' }, String(score)),
    s('text', { x: 110, y: 125, 'text-anchor': 'middle', class: 'bar-label' }, 'of 100'));
  return svg;
}

/**
 * One small bar chart of a per-day series.
 * @param {string} id
 * @param {string} title
 * @param {DayTrend[]} days
 * @param {(d: DayTrend) => number | null} value
 * @param {(n: number) => string} label
 */
function trend(id, title, days, value, label) {
  const points = days.map((d) => ({ day: d.day, v: value(d) })).filter((p) => p.v !== null);
  if (points.length === 0) return null;
  const max = Math.max(...points.map((p) => /** @type {number} */ (p.v)), 0) || 1;
  const w = Math.max(4, Math.min(16, Math.floor(420 / points.length)));
  const height = 80;
  const svg = s('svg', { id, class: 'bars trend', width: points.length * w + 50, height: height + 30, role: 'img', 'aria-label': title });
  points.forEach((p, i) => {
    const v = /** @type {number} */ (p.v);
    const bh = Math.round((v / max) * height);
    const g = s('g', { class: 'day', 'data-day': day(p.day) });
    g.append(s('title', {}, `${day(p.day)}: ${label(v)}`), s('rect', { x: 40 + i * w, y: height - bh, width: w - 1, height: bh }));
    svg.append(g);
  });
  svg.append(s('text', { x: 0, y: 10, class: 'bar-value' }, label(max)),
    s('text', { x: 40, y: height + 14, class: 'bar-label' }, day(points[0].day)),
    s('text', { x: 40 + (points.length - 1) * w, y: height + 28, class: 'bar-label' }, day(points[points.length - 1].day)));
  return h('div', { class: 'trend-box' }, h('h3', { text: title }), svg);
}

/** @param {HTMLElement} root */
export async function habitsView(root) {
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'hb-account' }));
  const since = /** @type {HTMLInputElement} */ (h('input', { id: 'hb-since', type: 'date' }));
  const until = /** @type {HTMLInputElement} */ (h('input', { id: 'hb-until', type: 'date' }));
  const run = h('button', { type: 'submit', id: 'hb-run', class: 'primary', text: 'Score' });
  const body = h('div', { id: 'hb-body' });
  const form = h('form', { id: 'hb-form', class: 'row', novalidate: true },
    h('label', { for: 'hb-account', text: 'Account' }), accountSelect,
    h('label', { for: 'hb-since', text: 'from' }), since, h('label', { for: 'hb-until', text: 'to' }), until, run);
  replace(root, h('h1', { text: 'Sending habits' }),
    h('p', { class: 'lead', text: 'The account\'s own data — sending logs, bounces, complaints, DMARC and TLS reports, audits, blocklist checks, sample messages — scored against the rule set (Rules view). Empty dates: the 37 days ending with the newest data.' }),
    h('div', { class: 'panel' }, form), body);

  const accounts = await loadAccounts();
  if (accounts.length === 0) {
    replace(body, h('p', { class: 'empty', id: 'hb-empty', text: 'No accounts yet. Create one in Accounts, then import its sending logs (CSV), bounces and reports in Feeds.' }));
    run.setAttribute('disabled', '');
    return;
  }
  fillAccountSelect(accountSelect, accounts);

  async function load() {
    try {
      const r = await backend.scoreAccount(Number(accountSelect.value), since.value, until.value);
      showError(null);
      render(r);
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {ScoreDto} dto */
  function render(dto) {
    const r = dto.report;
    const judged = r.rules - r.unjudged.length;
    /** @type {Node[]} */
    const parts = [];
    if (Object.keys(r.metrics).length === 0) {
      parts.push(h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'hb-no-data', text: 'Nothing to score yet: import the account\'s sending logs (CSV with timestamp and recipient columns), bounces, complaints and DMARC reports in Feeds, or run an audit and a blocklist check of its domains and IPs.' })));
      replace(body, ...parts);
      return;
    }
    parts.push(h('div', { class: 'panel score-head' },
      gauge(r.score),
      h('div', {},
        h('p', { id: 'hb-summary', text: `Score ${r.score} of 100 for ${day(dto.since)} to ${day(dto.until - 1)}: ${r.fired.length} of ${r.rules} rules fired, ${judged} judged, ${r.unjudged.length} without data.` }),
        dto.invalid_rules.length > 0 ? h('p', { class: 'hint', id: 'hb-invalid', text: `Skipped invalid rules: ${dto.invalid_rules.map((e) => e.id).join(', ')} (fix them in Rules).` }) : null,
        table(['area', 'points lost', 'fired', 'passed', 'no data'], r.areas.map((a) => [a.area, a.lost > 0 ? `−${a.lost}` : '0', String(a.fired), String(a.passed), String(a.unknown)]), 'hb-areas'))));
    parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Rules that fired' }),
      r.fired.length === 0 ? h('p', { class: 'empty', text: 'None: every rule with data passed.' }) : h('div', { id: 'hb-fired' },
        ...r.fired.map((f) => h('details', { class: `fired sev-${f.severity}`, 'data-rule': f.id },
          h('summary', {}, h('span', { class: `badge ${f.severity}`, text: f.severity }), ` −${f.weight} `, h('strong', { text: f.title }), ` (${f.id})`),
          h('p', { class: 'values', text: f.values.map(([k, v]) => `${k} = ${v}`).join('; ') }),
          h('p', {}, h('strong', { text: 'Why: ' }), f.why),
          h('p', {}, h('strong', { text: 'Fix: ' }), f.fix),
          h('p', { class: 'hint', text: `when ${f.when}${f.references.length > 0 ? ` · ${f.references.join('; ')}` : ''}` }))))));
    parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Bulk-sender requirements' }),
      h('p', { class: 'hint', text: 'Gmail and Yahoo (February 2024) and Microsoft (May 2025) requirements, judged from the data; "unknown" means no data for them yet (run an audit, import reports or verify a sample message with the account).' }),
      table(['provider', 'requirement', 'status', 'evidence'], r.scorecard.map((q) => [q.provider, q.requirement, q.status, q.evidence.join('; ')]), 'hb-scorecard')));
    const charts = [
      trend('hb-trend-sent', 'Messages sent per day', dto.trends, (d) => (d.sent > 0 ? d.sent : null), (n) => String(Math.round(n))),
      trend('hb-trend-bounces', 'Bounces per day', dto.trends, (d) => d.bounces, (n) => String(Math.round(n))),
      trend('hb-trend-complaints', 'Complaints per day', dto.trends, (d) => d.complaints, (n) => String(Math.round(n))),
      trend('hb-trend-dmarc', 'DMARC pass rate per day', dto.trends, (d) => (d.dmarc_messages > 0 ? d.dmarc_pass / d.dmarc_messages : null), (n) => `${(n * 100).toFixed(0)} %`),
    ].filter((c) => c !== null);
    if (charts.length > 0) parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Trends' }), h('div', { class: 'trends' }, ...charts)));
    parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Metrics' }),
      table(['metric', 'value'], Object.entries(r.metrics).map(([k, v]) => [k, show(v)]), 'hb-metrics'),
      r.unjudged.length > 0 ? h('details', { id: 'hb-unjudged' }, h('summary', { text: `${r.unjudged.length} rules without data` }),
        table(['rule', 'why not judged'], r.unjudged.map((u) => [u.id, u.detail]))) : null));
    replace(body, ...parts);
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); void load(); });
  accountSelect.addEventListener('change', () => { void load(); });
  await load();
}
