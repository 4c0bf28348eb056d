// Feeds: import an account's bounces, complaints and auto-replies (files, folders, mbox,
// Maildir, .gz) with progress, then read them: counts, a reason breakdown chart, filtered
// tables, and each record's original message as text. Bounce text is attacker-controlled:
// text nodes only (the chart is SVG built node by node, labels as text).

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { fillAccountSelect, loadAccounts } from '../current.js';
import { table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').StoredRecord} StoredRecord */
/** @typedef {import('../bindings').FeedSummary} FeedSummary */
/** @typedef {import('../bindings').ImportSummary} ImportSummary */
/** @typedef {import('../bindings').ReasonNote} ReasonNote */

const REASONS = ['userunknown', 'mailboxfull', 'filtered', 'rejected', 'blocked', 'hostunknown', 'authfailure', 'feedback', 'expired', 'networkerror', 'policyviolation', 'requireptr', 'suspend', 'spamdetected', 'systemerror', 'notaccept', 'securityerror', 'mailererror', 'norelaying', 'hasmoved', 'notcompliantrfc', 'toomanyconn', 'vacation', 'onhold', 'badreputation', 'delivered', 'exceedlimit', 'mesgtoobig', 'contenterror', 'syntaxerror', 'virusdetected', 'speeding', 'systemfull', 'undefined', 'failedstarttls'];

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 * @returns {SVGElement}
 */
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** @param {number | null | undefined} t */
function when(t) {
  return typeof t === 'number' ? new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16) : '—';
}

/** @param {ImportSummary} x */
function counts(x) {
  return `${x.messages} messages read: ${x.new_messages} new, ${x.duplicates} already imported; ${x.records} records (${x.bounces} bounces, ${x.complaints} complaints, ${x.autoreplies} auto-replies, ${x.others} other messages); ${x.reports} DMARC/TLS reports (${x.duplicate_reports} already imported); ${x.failed.length} unreadable`;
}

/** @param {HTMLElement} root */
export async function feedsView(root) {
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'fd-account' }));
  const paths = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'fd-paths', spellcheck: 'false', rows: 3, placeholder: '/home/me/bounces/\n/home/me/fbl.mbox\n/home/me/Maildir' }));
  const importBtn = h('button', { type: 'submit', class: 'primary', id: 'fd-import', text: 'Import' });
  const progress = h('span', { id: 'fd-progress', class: 'hint', role: 'status' });
  const failed = h('div', { id: 'fd-failed' });
  const summaryPanel = h('div', { class: 'panel', id: 'fd-summary' });
  const records = h('div', { class: 'panel', id: 'fd-records' });
  const detail = h('div', { class: 'panel', id: 'fd-detail', hidden: true });

  const kind = /** @type {HTMLSelectElement} */ (h('select', { id: 'fd-kind' },
    h('option', { value: '', text: 'all' }), h('option', { value: 'bounce', text: 'bounces' }),
    h('option', { value: 'complaint', text: 'complaints' }), h('option', { value: 'autoreply', text: 'auto-replies' }),
    h('option', { value: 'delivery', text: 'delivery reports' })));
  const reason = /** @type {HTMLSelectElement} */ (h('select', { id: 'fd-reason' }, h('option', { value: '', text: 'any reason' }), ...REASONS.map((r) => h('option', { value: r, text: r }))));
  const hardness = /** @type {HTMLSelectElement} */ (h('select', { id: 'fd-hardness' },
    h('option', { value: '', text: 'hard and soft' }), h('option', { value: 'hard', text: 'hard only' }), h('option', { value: 'soft', text: 'soft only' })));
  const domain = /** @type {HTMLInputElement} */ (h('input', { id: 'fd-domain', type: 'text', spellcheck: 'false', placeholder: 'recipient domain' }));
  const since = /** @type {HTMLInputElement} */ (h('input', { id: 'fd-since', type: 'date' }));
  const until = /** @type {HTMLInputElement} */ (h('input', { id: 'fd-until', type: 'date' }));
  const apply = h('button', { type: 'submit', id: 'fd-apply', text: 'Filter' });

  const importForm = h('form', { id: 'fd-form', novalidate: true },
    h('label', { for: 'fd-account' }, 'Account'), accountSelect,
    h('label', { for: 'fd-paths' }, 'Files or folders on this computer ', h('span', { class: 'hint', text: 'one per line: .eml files, folders (searched recursively), mbox files, Maildirs, .gz; re-importing the same mail adds nothing' })), paths,
    h('div', { class: 'row' }, importBtn, progress), failed);
  const filterForm = h('form', { id: 'fd-filter', class: 'row', novalidate: true }, kind, reason, hardness, domain,
    h('label', { for: 'fd-since', text: 'from' }), since, h('label', { for: 'fd-until', text: 'to' }), until, apply);

  replace(root, h('h1', { text: 'Feeds' }),
    h('p', { class: 'lead', text: 'Bounces, complaints (ARF) and auto-replies of an account: who bounced, why (one of 35 reasons), hard or soft, and which complaints came in.' }),
    h('div', { class: 'panel' }, importForm),
    h('p', { class: 'hint', id: 'fd-reports-note', text: 'DMARC aggregate and failure reports and SMTP TLS reports (XML, JSON, .gz, .zip or the mail carrying them) are imported here too; the Reports view adds them up.' }),
    summaryPanel, h('div', { class: 'panel' }, h('h2', { text: 'Records' }), filterForm, records), detail);

  const accounts = await loadAccounts();
  if (accounts.length === 0) {
    replace(summaryPanel, h('p', { class: 'empty', text: 'No accounts yet. Create one in Accounts, then import its bounce and complaint mail here.' }));
    importBtn.setAttribute('disabled', '');
    return;
  }
  fillAccountSelect(accountSelect, accounts);
  const accountId = () => Number(accountSelect.value);

  async function refresh() {
    try {
      const summary = await backend.feedSummary(accountId());
      renderSummary(summary);
      await loadRecords();
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** What each reason of the account means and what to do, from the last summary. @type {Map<string, ReasonNote>} */
  let guide = new Map();

  /** @param {FeedSummary} x */
  function renderSummary(x) {
    guide = new Map(x.reason_guide.map((g) => [g.name, g]));
    if (x.messages === 0) {
      replace(summaryPanel, h('h2', { text: 'Summary' }), h('p', { class: 'empty', text: 'Nothing imported for this account yet. Import its bounce and feedback-loop mail above.' }));
      return;
    }
    const range = x.first !== null && x.last !== null ? `, ${when(x.first)} to ${when(x.last)} UTC` : '';
    /** @type {Node[]} */
    const extra = [];
    if (x.by_domain.length > 0) {
      extra.push(h('h3', { text: 'Bounces by recipient domain' }), table(['domain', 'bounces'], x.by_domain.map((c) => [c.name, String(c.count)]), 'fd-domains'));
    }
    if (x.by_feedback_type.length > 0) {
      extra.push(h('h3', { text: 'Complaints by feedback type' }), table(['feedback type', 'complaints'], x.by_feedback_type.map((c) => [c.name || '—', String(c.count)]), 'fd-feedback-types'));
    }
    if (x.by_reporter.length > 0) {
      extra.push(h('h3', { text: 'Complaints by feedback loop' }), table(['reported by (User-Agent)', 'complaints'], x.by_reporter.map((c) => [c.name || 'not named', String(c.count)]), 'fd-reporters'));
    }
    if (x.by_source_ip.length > 0) {
      extra.push(h('h3', { text: 'Complaints by sending IP' }), table(['source IP', 'complaints'], x.by_source_ip.map((c) => [c.name || 'not given', String(c.count)]), 'fd-source-ips'));
    }
    replace(summaryPanel, h('h2', { text: 'Summary' }),
      h('p', { id: 'fd-totals', text: `${x.messages} messages; ${x.bounces} bounces (${x.hard} hard, ${x.bounces - x.hard} soft), ${x.complaints} complaints, ${x.autoreplies} auto-replies${range}` }),
      h('h3', { text: 'Reasons' }), chart(x.by_reason, 'fd-chart'),
      h('details', { id: 'fd-reason-guide' }, h('summary', { text: 'What these reasons mean and what to do' }),
        table(['reason', 'what it means', 'what to do'], x.reason_guide.map((g) => [g.name, g.meaning, g.fix]), 'fd-guide-table')),
      ...extra);
  }

  /**
   * Horizontal bars, one per reason; clicking a bar filters the table by it.
   * @param {{ name: string, count: number }[]} items
   * @param {string} id
   */
  function chart(items, id) {
    const max = Math.max(1, ...items.map((c) => c.count));
    const row = 22;
    const svg = s('svg', { id, class: 'bars', width: 640, height: items.length * row + 4, role: 'img', 'aria-label': 'records per reason' });
    items.forEach((c, i) => {
      const y = i * row + 2;
      const g = s('g', { class: 'bar', 'data-reason': c.name });
      g.append(s('title', {}, `${c.name}: ${guide.get(c.name)?.meaning ?? ''}`), s('text', { x: 0, y: y + 15, class: 'bar-label' }, c.name),
        s('rect', { x: 130, y, width: Math.max(2, Math.round((c.count / max) * 440)), height: row - 6, rx: 3 }),
        s('text', { x: 136 + Math.round((c.count / max) * 440), y: y + 15, class: 'bar-value' }, String(c.count)));
      const pick = () => { reason.value = REASONS.includes(c.name) ? c.name : ''; void loadRecords(); };
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', `${c.name}: ${c.count}; show only these`);
      g.addEventListener('click', pick);
      g.addEventListener('keydown', (ev) => { if (ev instanceof KeyboardEvent && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); pick(); } });
      svg.append(g);
    });
    return svg;
  }

  async function loadRecords() {
    try {
      const rows = await backend.feedRecords(accountId(), {
        kind: kind.value, reason: reason.value, hardness: hardness.value, domain: domain.value.trim(),
        since: since.value, until: until.value, limit: 1000,
      });
      showError(null);
      renderRecords(rows);
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {StoredRecord[]} rows */
  function renderRecords(rows) {
    if (rows.length === 0) {
      replace(records, h('p', { class: 'empty', id: 'fd-no-records', text: 'No records match.' }));
      return;
    }
    const body = h('tbody', {}, ...rows.map((r) => {
      const x = r.record;
      return h('tr', { class: 'record-row', 'data-reason': x.reason },
        h('td', { text: when(x.timestamp) }),
        h('td', { class: 'wrap', text: x.recipient ?? '—' }),
        h('td', { text: r.kind }),
        h('td', { text: x.reason, title: guide.get(x.reason)?.meaning ?? '' }),
        h('td', { text: r.kind === 'bounce' ? (x.hardbounce ? 'hard' : 'soft') : '' }),
        h('td', { text: x.status || '—' }),
        h('td', { class: 'wrap', text: x.diagnosticcode.length > 160 ? `${x.diagnosticcode.slice(0, 160)}…` : x.diagnosticcode }),
        h('td', {}, h('button', { type: 'button', class: 'show-message', onclick: () => { void showMessage(r); } , text: 'Original' })));
    }));
    replace(records, h('p', { class: 'hint', id: 'fd-count', text: `${rows.length} record${rows.length === 1 ? '' : 's'}${rows.length === 1000 ? ' (the newest 1,000; narrow the filter)' : ''}` }),
      h('div', { class: 'scroll' }, h('table', { class: 'facts-table', id: 'fd-table' },
        h('thead', {}, h('tr', {}, ...['time (UTC)', 'recipient', 'kind', 'reason', 'hard/soft', 'status', 'diagnostic', ''].map((c) => h('th', { text: c })))),
        body)));
  }

  /** @param {StoredRecord} r */
  async function showMessage(r) {
    try {
      const m = await backend.feedMessage(accountId(), r.message);
      const x = r.record;
      const common = [
        ['recipient', x.recipient ?? '—'], ['original sender', x.addresser ?? '—'], ['reason', x.reason],
        ['what it means', guide.get(x.reason)?.meaning ?? '—'], ['what to do', guide.get(x.reason)?.fix ?? '—'],
      ];
      // A complaint (ARF, RFC 5965 §3.1) names the feedback loop, the sending IP and when the
      // message arrived; a bounce names the SMTP dialogue.
      const specific = r.kind === 'complaint'
        ? [['feedback type', x.feedbacktype || '—'], ['reported by (User-Agent)', x.useragent || '—'],
          ['source IP', x.rhost || '—'], ['arrived', when(x.timestamp)], ['reporting host', x.lhost || '—']]
        : [['hard bounce', x.hardbounce ? 'yes' : 'no'], ['status', x.status || '—'], ['reply code', x.replycode || '—'],
          ['action', x.action || '—'], ['SMTP command', x.command || '—'], ['remote host', x.rhost || '—'],
          ['reporting host', x.lhost || '—']];
      const facts = [...common, ...specific,
        ['message-id', x.messageid || '—'], ['list-id', x.listid || '—'], ['decoded by', x.decodedby],
        ['diagnostic', x.diagnosticcode || '—'], ['file', m.source], ['sha-256', m.hash], ['imported', m.imported_at],
      ];
      detail.hidden = false;
      replace(detail, h('h2', { text: 'Record and original message' }),
        table(['field', 'value'], facts, 'fd-record-facts'),
        h('h3', { text: 'Message source (as text)' }),
        h('pre', { class: 'code wrap', id: 'fd-message-text', text: m.text }));
      detail.scrollIntoView({ block: 'start' });
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  importForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = paths.value.split('\n').map((p) => p.trim()).filter((p) => p.length > 0);
    importBtn.setAttribute('disabled', '');
    replace(failed);
    progress.textContent = 'Starting…';
    backend.startFeedImport(accountId(), list)
      .then((job) => poll(job))
      .catch((e) => { showError(/** @type {ApiError} */ (e)); progress.textContent = ''; importBtn.removeAttribute('disabled'); });
  });

  /** @param {number} job */
  function poll(job) {
    backend.feedImportStatus(job).then((st) => {
      progress.textContent = st.done ? (st.error ? '' : `Done. ${counts(st.summary)}.`) : `Importing… ${counts(st.summary)}`;
      if (st.summary.failed.length > 0) {
        replace(failed, h('p', { class: 'hint', text: 'Not imported (the rest was):' }),
          h('ul', { id: 'fd-failed-list' }, ...st.summary.failed.map((f) => h('li', { text: `${f.name}: ${f.reason}` }))));
      }
      if (!st.done) {
        setTimeout(() => poll(job), 250);
        return;
      }
      importBtn.removeAttribute('disabled');
      if (st.error) showError({ code: 'import-failed', message: `${st.error} (batches already stored are kept; import again to finish)` });
      void refresh();
    }).catch((e) => { showError(/** @type {ApiError} */ (e)); importBtn.removeAttribute('disabled'); });
  }

  filterForm.addEventListener('submit', (ev) => { ev.preventDefault(); void loadRecords(); });
  accountSelect.addEventListener('change', () => { detail.hidden = true; void refresh(); });
  await refresh();
}
