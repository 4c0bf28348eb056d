// Overview: one account on one page — its habit score and the bulk-sender scorecard, the
// findings at error or critical from every area, the last audit and blocklist check of each
// domain and IP, what has been imported — each linking to its view; one button re-runs every
// live check (audits of all domains, blocklists of all IPs and domains) with progress; and
// the report to hand over. Everything shown is text from the store, put in as text nodes.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { fillAccountSelect, loadAccounts } from '../current.js';
import { gauge } from './habits.js';
import { table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').AccountOverview} AccountOverview */
/** @typedef {import('../bindings').LastCheck} LastCheck */

/** Checks run at once by "Re-run all checks". */
const PARALLEL = 3;

/** @param {number} n @param {number} d */
function pct(n, d) {
  return d === 0 ? '—' : `${(100 * n / d).toFixed(1)} %`;
}

/**
 * A button that opens another view.
 * @param {string} view
 * @param {string} text
 */
function go(view, text) {
  return h('button', { type: 'button', class: 'link', 'data-go': view, text, onclick: () => { location.hash = view; } });
}

/** @param {HTMLElement} root */
export async function overviewView(root) {
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'ov-account' }));
  const rerun = h('button', { type: 'button', id: 'ov-rerun', class: 'primary', text: 'Re-run all checks' });
  const progress = /** @type {HTMLProgressElement} */ (h('progress', { id: 'ov-progress', max: 1, value: 0, hidden: true }));
  const progressText = h('span', { id: 'ov-progress-text', class: 'hint' });
  const body = h('div', { id: 'ov-body' }, h('p', { class: 'hint', text: 'Loading…' }));
  replace(root, h('h1', { text: 'Overview' }),
    h('p', { class: 'lead', text: 'Everything Inboxlens knows about one customer: score, bulk-sender requirements, what must be fixed first, the latest checks and what has been imported.' }),
    h('div', { class: 'panel row', id: 'ov-head' },
      h('label', { for: 'ov-account', text: 'Account' }), accountSelect, rerun, progress, progressText),
    body);

  const accounts = await loadAccounts();
  if (accounts.length === 0) {
    replace(body, h('div', { class: 'panel' }, h('p', { class: 'empty', id: 'ov-empty', text: 'No accounts yet. Create one in Accounts (its domains, sending IPs and DKIM selectors), then import its bounces, reports and sending logs in Feeds.' }), go('accounts', 'Go to Accounts')));
    rerun.setAttribute('disabled', '');
    return;
  }
  fillAccountSelect(accountSelect, accounts);
  const accountId = () => Number(accountSelect.value);

  async function load() {
    try {
      const o = await backend.accountOverview(accountId());
      showError(null);
      render(o);
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {AccountOverview} o */
  function render(o) {
    const r = o.score.report;
    const count = (/** @type {string} */ st) => r.scorecard.filter((q) => q.status === st).length;
    const notMet = r.scorecard.filter((q) => q.status === 'not-met');
    const noData = Object.keys(r.metrics).length === 0;
    const scorePanel = h('div', { class: 'panel', id: 'ov-score' }, h('h2', { text: 'Sending habits' }),
      noData
        ? h('p', { class: 'empty', text: 'Nothing to score yet: import sending logs, bounces and reports in Feeds, or re-run the checks.' })
        : h('div', { class: 'score-head' }, gauge(r.score, 'ov-gauge'),
          h('div', {},
            h('p', { id: 'ov-score-text', text: `Score ${r.score} of 100: ${r.fired.length} of ${r.rules} rules fired.` }),
            table(['area', 'points lost'], r.areas.filter((a) => a.lost > 0).map((a) => [a.area, `−${a.lost}`])))),
      go('habits', 'Sending habits →'));
    const cardPanel = h('div', { class: 'panel', id: 'ov-scorecard' }, h('h2', { text: 'Bulk-sender requirements' }),
      h('p', { id: 'ov-scorecard-counts', text: `${count('met')} met · ${count('not-met')} not met · ${count('unknown')} unknown (Gmail, Yahoo, Microsoft)` }),
      notMet.length === 0 ? h('p', { class: 'hint', text: 'No requirement is known to be missed.' })
        : table(['provider', 'not met', 'evidence'], notMet.map((q) => [q.provider, q.requirement, q.evidence.join('; ')]), 'ov-not-met'));
    const checked = o.audits.some((c) => c.check_id !== null) || o.blocklists.some((c) => c.check_id !== null);
    const findingsPanel = h('div', { class: 'panel', id: 'ov-findings' }, h('h2', { text: `Fix first (${o.open_findings.length})` }),
      o.open_findings.length === 0
        ? h('p', { class: 'empty', text: checked || !noData ? 'Nothing at error or critical in the latest checks, the rules or the newest sample.' : 'No checks yet: press "Re-run all checks" to audit the domains and check the blocklists.' })
        : h('div', { class: 'scroll' }, h('table', { class: 'facts-table', id: 'ov-findings-table' },
          h('thead', {}, h('tr', {}, ...['', 'area', 'about', 'finding', 'fix', ''].map((c) => h('th', { text: c })))),
          h('tbody', {}, ...o.open_findings.map((f) => h('tr', { 'data-id': f.id, 'data-area': f.area },
            h('td', {}, h('span', { class: `badge ${f.severity}`, text: f.severity })),
            h('td', { text: f.area }),
            h('td', { class: 'wrap', text: f.target }),
            h('td', { class: 'wrap' }, h('strong', { text: f.title }), h('br'), h('code', { class: 'finding-id', text: f.id }),
              f.evidence.length > 0 ? h('pre', { class: 'evidence', text: f.evidence.join('\n') }) : null),
            h('td', { class: 'wrap', text: f.fix }),
            h('td', {}, go(f.area === 'blocklists' ? 'blocklists' : f.area, 'open'))))))));
    /** @param {LastCheck[]} list @param {boolean} bl */
    const checkRows = (list, bl) => list.map((c) => [c.target, c.checked_at ?? 'never',
      c.checked_at === null ? '—' : bl ? (c.listed.length === 0 ? 'not listed' : `LISTED: ${c.listed.join(', ')}`) : `${c.verdict ?? ''} (${c.findings} findings)`]);
    const checksPanel = h('div', { class: 'panel', id: 'ov-checks' }, h('h2', { text: 'Latest checks' }),
      o.audits.length === 0 ? h('p', { class: 'hint', text: 'The account has no domains: add them in Accounts.' })
        : table(['domain', 'audited (UTC)', 'verdict'], checkRows(o.audits, false), 'ov-audits'),
      go('audit', 'Domain audit →'),
      o.blocklists.length === 0 ? h('p', { class: 'hint', text: 'The account has no sending IPs or domains to check.' })
        : table(['IP or domain', 'checked (UTC)', 'blocklists'], checkRows(o.blocklists, true), 'ov-blocklists'),
      go('blocklists', 'Blocklists →'));
    const f = o.feeds;
    const volumes = h('dl', { class: 'facts', id: 'ov-volumes' },
      h('dt', { text: 'Bounces' }), h('dd', { text: f.bounces === 0 ? 'none imported — import bounce mail (.eml, mbox, Maildir) in Feeds' : `${f.bounces} (${f.hard} hard) from ${f.messages} messages` }),
      h('dt', { text: 'Complaints' }), h('dd', { text: f.complaints === 0 ? 'none imported — import feedback-loop (ARF) mail in Feeds' : String(f.complaints) }),
      h('dt', { text: 'DMARC reports' }), h('dd', { text: o.aggregate_reports === 0 ? 'none imported — import rua report mail or files in Feeds' : `${o.aggregate_reports} aggregate (${o.dmarc_messages} messages, ${pct(o.dmarc_pass, o.dmarc_messages)} pass), ${o.failure_reports} failure` }),
      h('dt', { text: 'TLS reports' }), h('dd', { text: o.tls_reports === 0 ? 'none imported' : String(o.tls_reports) }),
      h('dt', { text: 'Sending log' }), h('dd', { text: o.log_rows === 0 ? 'none imported — import the ESP\'s sending log (CSV) in Feeds' : `${o.log_rows} messages` }),
      h('dt', { text: 'Sample messages' }), h('dd', { text: o.samples === 0 ? 'none — verify a message with the account (CLI: inboxlens verify --account)' : String(o.samples) }));
    const feedsPanel = h('div', { class: 'panel', id: 'ov-feeds' }, h('h2', { text: 'Imported' }), volumes,
      h('p', { class: 'row' }, go('feeds', 'Feeds →'), go('reports', 'Reports →'), go('timeline', 'Timeline →')));
    replace(body,
      h('div', { class: 'grid-even' }, scorePanel, feedsPanel),
      findingsPanel,
      h('div', { class: 'grid-even' }, cardPanel, checksPanel),
      exportPanel());
  }

  function exportPanel() {
    const format = /** @type {HTMLSelectElement} */ (h('select', { id: 'ov-export-format' },
      h('option', { value: 'html', text: 'HTML (opens in any browser, no network)' }), h('option', { value: 'json', text: 'JSON' })));
    const personal = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'ov-export-personal' }));
    const path = /** @type {HTMLInputElement} */ (h('input', { type: 'text', id: 'ov-export-path', spellcheck: 'false', placeholder: 'file path (empty: your Downloads folder)' }));
    const result = h('p', { id: 'ov-export-result', class: 'hint', 'aria-live': 'polite' });
    const button = h('button', { type: 'submit', id: 'ov-export', class: 'primary', text: 'Export report' });
    const form = h('form', { id: 'ov-export-form', novalidate: true },
      h('label', { for: 'ov-export-format', text: 'Format' }), format,
      h('label', { for: 'ov-export-path', text: 'Save as' }), path,
      h('label', { class: 'check' }, personal, 'Include recipient addresses (personal data; redacted by default)'),
      h('div', { class: 'row' }, button), result);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      button.setAttribute('disabled', '');
      result.textContent = 'Writing…';
      backend.exportReport(accountId(), path.value, format.value, personal.checked)
        .then((x) => {
          showError(null);
          result.textContent = `Written: ${x.path} (${x.bytes} bytes, ${x.findings} findings and fired rules).`;
          result.dataset.path = x.path;
        })
        .catch((e) => { result.textContent = ''; showError(/** @type {ApiError} */ (e)); })
        .finally(() => button.removeAttribute('disabled'));
    });
    return h('div', { class: 'panel', id: 'ov-export-panel' }, h('h2', { text: 'Report to hand over' }),
      h('p', { class: 'hint', text: 'One self-contained file for the customer: score and fixes, findings with evidence, audits, blocklists, bounces, complaints, DMARC and TLS reports, charts as inline SVG.' }), form);
  }

  /** Re-runs every live check of the account, a few at a time, with progress. */
  async function rerunAll() {
    const account = accounts.find((a) => a.id === accountId());
    if (!account) return;
    /** @type {{ label: string, run: () => Promise<unknown> }[]} */
    const steps = [
      ...account.domains.map((d) => ({ label: `audit ${d}`, run: () => backend.runAudit([d], account.id, [], []) })),
      ...[...account.sending_ips, ...account.domains].map((t) => ({ label: `blocklists ${t}`, run: () => backend.checkBlocklists([t], account.id) })),
    ];
    if (steps.length === 0) {
      showError({ code: 'invalid-input', message: 'The account has no domains or sending IPs to check: add them in Accounts.' });
      return;
    }
    rerun.setAttribute('disabled', '');
    accountSelect.setAttribute('disabled', '');
    progress.hidden = false;
    progress.max = steps.length;
    progress.value = 0;
    /** @type {string[]} */
    const failed = [];
    const running = new Set();
    let next = 0;
    const show = () => { progressText.textContent = `${progress.value} of ${steps.length} done${running.size > 0 ? ` · running: ${[...running].join(', ')}` : ''}`; };
    const worker = async () => {
      while (next < steps.length) {
        const step = steps[next++];
        running.add(step.label);
        show();
        try {
          await step.run();
        } catch (e) {
          failed.push(`${step.label}: ${/** @type {ApiError} */ (e).message}`);
        }
        running.delete(step.label);
        progress.value += 1;
        show();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, steps.length) }, worker));
    progressText.textContent = `${steps.length} checks done${failed.length > 0 ? `, ${failed.length} failed` : ''}.`;
    progressText.dataset.done = 'true';
    progress.hidden = true;
    rerun.removeAttribute('disabled');
    accountSelect.removeAttribute('disabled');
    await load(); // clears the banner on success: the failures are shown after it
    if (failed.length > 0) showError({ code: 'check-failed', message: failed.join('\n') });
  }

  rerun.addEventListener('click', () => { delete progressText.dataset.done; void rerunAll(); });
  accountSelect.addEventListener('change', () => { void load(); });
  await load();
}
