// Reports: an account's DMARC aggregate and failure reports and SMTP TLS reports, added up.
// Who sends as the customer's domains (sources named from confirmed reverse DNS and a map of
// known services), how much passes, day by day, what p=quarantine / p=reject would do, and
// which MX hosts fail TLS how. Report content is attacker-controlled: text nodes only; the
// chart is SVG built node by node.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { fillAccountSelect, loadAccounts } from '../current.js';
import { table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').ReportOverview} ReportOverview */

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

/** @param {number} n @param {number} d */
function pct(n, d) {
  return d === 0 ? '—' : `${(100 * n / d).toFixed(1)} %`;
}

/** @param {number} t */
function day(t) {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** @param {HTMLElement} root */
export async function reportsView(root) {
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'rp-account' }));
  const domain = /** @type {HTMLInputElement} */ (h('input', { id: 'rp-domain', type: 'text', spellcheck: 'false', placeholder: 'policy domain (any)' }));
  const since = /** @type {HTMLInputElement} */ (h('input', { id: 'rp-since', type: 'date' }));
  const until = /** @type {HTMLInputElement} */ (h('input', { id: 'rp-until', type: 'date' }));
  const apply = h('button', { type: 'submit', id: 'rp-apply', class: 'primary', text: 'Show' });
  const body = h('div', { id: 'rp-body' });
  const form = h('form', { id: 'rp-filter', class: 'row', novalidate: true },
    h('label', { for: 'rp-account', text: 'Account' }), accountSelect, domain,
    h('label', { for: 'rp-since', text: 'from' }), since, h('label', { for: 'rp-until', text: 'to' }), until, apply);
  replace(root, h('h1', { text: 'Reports' }),
    h('p', { class: 'lead', text: 'DMARC aggregate (rua) and failure (ruf) reports and SMTP TLS reports: every source that sends as the domain, whether it authenticates, and what a stricter policy would do. Import report mail or files in Feeds.' }),
    h('div', { class: 'panel' }, form), body);

  const accounts = await loadAccounts();
  if (accounts.length === 0) {
    replace(body, h('p', { class: 'empty', text: 'No accounts yet. Create one in Accounts, then import its DMARC and TLS report mail in Feeds.' }));
    apply.setAttribute('disabled', '');
    return;
  }
  fillAccountSelect(accountSelect, accounts);

  async function load() {
    try {
      const o = await backend.reportOverview(Number(accountSelect.value), { domain: domain.value.trim(), since: since.value, until: until.value });
      showError(null);
      render(o);
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {ReportOverview} o */
  function render(o) {
    if (o.aggregate_reports + o.failure_reports + o.tls_reports === 0) {
      replace(body, h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'rp-empty', text: 'No DMARC or TLS reports imported for this account (or none match). Import the mail its rua=/ruf= and TLS-RPT rua= addresses received, in Feeds.' })));
      return;
    }
    /** @type {Node[]} */
    const parts = [];
    parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Summary' }),
      h('p', { id: 'rp-totals', text: `${o.aggregate_reports} aggregate, ${o.failure_reports} failure and ${o.tls_reports} TLS reports; ${o.messages} messages reported, ${pct(o.dmarc_pass, o.messages)} pass DMARC; published policy: ${o.published_policy ?? 'unknown'}; domains: ${o.domains.join(', ') || '—'}` }),
      o.unresolved_ips > 0 ? h('p', { class: 'hint', id: 'rp-unresolved', text: `${o.unresolved_ips} source IPs have no reverse DNS name yet (offline, or the lookup failed); they are named from their DKIM and envelope domains only.` }) : null));
    if (o.sources.length > 0) {
      parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Sources' }),
        h('p', { class: 'hint', text: 'Named from forward-confirmed reverse DNS, else from the DKIM domain that signed, else the envelope-from domain. Percentages are of each source\'s messages; SPF and DKIM count only when aligned with the From domain.' }),
        table(['source', 'kind', 'named by', 'messages', 'SPF aligned', 'DKIM aligned', 'DMARC pass', 'quarantined/rejected', 'IPs', 'busiest IPs'],
          o.sources.map((x) => [x.org, x.category, x.via, String(x.messages), pct(x.spf_aligned, x.messages), pct(x.dkim_aligned, x.messages), pct(x.dmarc_pass, x.messages), String(x.enforced), String(x.ip_count), x.top_ips.join(', ')]), 'rp-sources')));
    }
    if (o.days.length > 0) parts.push(h('div', { class: 'panel' }, h('h2', { text: 'DMARC pass rate by day' }), trend(o)));
    if (o.messages > 0) {
      parts.push(h('div', { class: 'panel', id: 'rp-whatif' }, h('h2', { text: 'What if the policy were stricter?' }),
        ...o.what_if.map((w) => h('div', { class: 'whatif', 'data-policy': w.policy },
          h('h3', { text: `p=${w.policy}` }),
          h('p', { text: `${w.affected} of ${o.messages} messages (${(100 * w.share).toFixed(1)} %) fail DMARC and would be ${w.policy === 'reject' ? 'refused' : 'sent to spam'}; ${w.newly_affected} of them are delivered normally today.` }),
          h('p', { text: `${w.from_known_services} come from known sending services (likely the customer's own mail: set up aligned DKIM there first), ${w.forwarded} were forwarded or list mail the receiver may spare, ${w.from_unknown} come from unidentified sources.` }),
          w.services.length > 0 ? table(['service that would lose mail', 'messages'], w.services.map(([n, c]) => [n, String(c)])) : null))));
    }
    if (o.tls_policies.length > 0) {
      parts.push(h('div', { class: 'panel', id: 'rp-tls' }, h('h2', { text: 'SMTP TLS reports' }),
        table(['policy domain', 'policy', 'successful sessions', 'failed sessions'], o.tls_policies.map((p) => [p.domain, p.policy_type, String(p.successful), String(p.failed)]), 'rp-tls-policies'),
        o.tls_failures.length > 0 ? h('h3', { text: 'Failures by MX host' }) : null,
        o.tls_failures.length > 0 ? table(['MX host', 'failure', 'sessions'], o.tls_failures.map((f) => [f.mx, f.result_type, String(f.sessions)]), 'rp-tls-failures') : null));
    }
    if (o.reports.length > 0) {
      parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Reports received' }),
        table(['kind', 'reporter', 'report id', 'domain', 'period start (UTC)', 'messages / sessions'],
          o.reports.map((r) => [r.kind, r.org, r.kind === 'failure' ? '—' : r.report_id, r.domain, r.begin === null ? '—' : new Date(r.begin * 1000).toISOString().replace('T', ' ').slice(0, 16), r.kind === 'failure' ? '—' : String(r.volume)]), 'rp-reports')));
    }
    if (o.failures.length > 0) {
      parts.push(h('div', { class: 'panel' }, h('h2', { text: 'Failure reports' }),
        table(['arrival (UTC)', 'reporter', 'domain', 'source IP', 'failed', 'From', 'subject'],
          o.failures.map((f) => [f.arrival === null ? '—' : new Date(f.arrival * 1000).toISOString().replace('T', ' ').slice(0, 16), f.reporter, f.domain, f.source_ip ?? '—', f.auth_failure.join(', '), f.header_from ?? '—', f.subject ?? '—']), 'rp-failures')));
    }
    replace(body, ...parts);
  }

  /**
   * Bars per day: total messages, the passing part drawn over it; the pass rate as a label.
   * @param {ReportOverview} o
   */
  function trend(o) {
    const max = Math.max(1, ...o.days.map((d) => d.messages));
    const w = Math.max(8, Math.min(40, Math.floor(600 / o.days.length)));
    const height = 160;
    const svg = s('svg', { id: 'rp-trend', class: 'bars', width: Math.max(300, o.days.length * w + 60), height: height + 40, role: 'img', 'aria-label': 'messages and DMARC passes per day' });
    o.days.forEach((d, i) => {
      const x = 40 + i * w;
      const total = Math.round((d.messages / max) * height);
      const pass = Math.round((d.dmarc_pass / max) * height);
      const g = s('g', { class: 'day', 'data-day': day(d.day) });
      g.append(s('title', {}, `${day(d.day)}: ${d.messages} messages, ${pct(d.dmarc_pass, d.messages)} pass`),
        s('rect', { x, y: height - total, width: w - 2, height: total, class: 'fail' }),
        s('rect', { x, y: height - pass, width: w - 2, height: pass, class: 'pass' }));
      svg.append(g);
    });
    svg.append(s('text', { x: 40, y: height + 16, class: 'bar-label' }, day(o.days[0].day)),
      s('text', { x: 40 + (o.days.length - 1) * w, y: height + 32, class: 'bar-label' }, day(o.days[o.days.length - 1].day)),
      s('text', { x: 0, y: 12, class: 'bar-value' }, String(max)));
    return h('div', {}, svg, h('p', { class: 'hint', text: 'Bar height: messages reported that day; the darker part passed DMARC. Hover a bar for its numbers.' }));
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); void load(); });
  accountSelect.addEventListener('change', () => { void load(); });
  await load();
}
