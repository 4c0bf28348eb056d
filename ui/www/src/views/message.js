// Message inspector: paste or drop a raw message, see what the receiver saw — SPF, DKIM,
// DMARC and ARC with alignment, the receiver's own verdicts beside ours, header checks, the
// header table and the relay timeline. Every byte of the message is attacker-controlled:
// text nodes only, never markup.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { renderFinding, table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').MessageReport} Report */
/** @typedef {import('../bindings').Finding} Finding */

/** Largest message read from a dropped or chosen file (the engine's own limit). */
const FILE_LIMIT = 50 * 1024 * 1024;

const VERDICT_TEXT = /** @type {Record<string, string>} */ ({
  pass: 'Authenticated and well-formed', info: 'Authenticated (notes only)', warning: 'Delivered, but something should be fixed',
  error: 'Receivers are likely to distrust this message', critical: 'Critical: receivers are likely to reject or junk this message',
});

/** @param {HTMLElement} root */
export function messageView(root) {
  const raw = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'msg-raw', class: 'code', spellcheck: 'false', placeholder: 'Paste the full message source (headers and body), or drop an .eml file here.' }));
  const file = /** @type {HTMLInputElement} */ (h('input', { id: 'msg-file', type: 'file', accept: '.eml,.txt,message/rfc822,text/plain' }));
  const ip = /** @type {HTMLInputElement} */ (h('input', { id: 'msg-ip', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'from Received' }));
  const helo = /** @type {HTMLInputElement} */ (h('input', { id: 'msg-helo', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'from Received' }));
  const mailFrom = /** @type {HTMLInputElement} */ (h('input', { id: 'msg-mail-from', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'from Return-Path' }));
  const run = h('button', { type: 'submit', class: 'primary', id: 'msg-verify', text: 'Verify' });
  const progress = h('span', { id: 'msg-progress', class: 'hint', role: 'status' });
  const results = h('div', { id: 'msg-results' },
    h('div', { class: 'panel' }, h('p', { class: 'empty', text: 'Results appear here: the verdict, SPF, DKIM, DMARC and ARC as the receiver evaluated them, the receiver\'s own results beside ours, header checks and the relay path.' })));

  /** @param {File} f */
  const load = (f) => {
    if (f.size > FILE_LIMIT) {
      showError({ code: 'invalid-input', message: `${f.name} is ${f.size} bytes; the limit is ${FILE_LIMIT} bytes` });
      return;
    }
    f.text().then((t) => { raw.value = t; progress.textContent = `Loaded ${f.name} (${f.size} bytes).`; })
      .catch((e) => showError({ code: 'read', message: `${f.name}: ${String(e)}` }));
  };
  file.addEventListener('change', () => { const f = file.files?.[0]; if (f) load(f); });
  raw.addEventListener('dragover', (ev) => { ev.preventDefault(); raw.classList.add('drop'); });
  raw.addEventListener('dragleave', () => raw.classList.remove('drop'));
  raw.addEventListener('drop', (ev) => {
    ev.preventDefault();
    raw.classList.remove('drop');
    const f = ev instanceof DragEvent ? ev.dataTransfer?.files?.[0] : undefined;
    if (f) load(f);
  });

  const form = h('form', { id: 'msg-form', novalidate: true },
    h('label', { for: 'msg-raw' }, 'Message ', h('span', { class: 'hint', text: 'the full source ("Show original" / "View source"), or headers only' })), raw,
    h('div', { class: 'row' }, h('label', { class: 'check', for: 'msg-file' }, 'Or open a file: ', file)),
    h('div', { class: 'grid3' },
      h('div', {}, h('label', { for: 'msg-ip' }, 'Connecting IP ', h('span', { class: 'hint', text: 'optional' })), ip),
      h('div', {}, h('label', { for: 'msg-helo' }, 'HELO ', h('span', { class: 'hint', text: 'optional' })), helo),
      h('div', {}, h('label', { for: 'msg-mail-from' }, 'MAIL FROM ', h('span', { class: 'hint', text: 'optional' })), mailFrom)),
    h('div', { class: 'row' }, run, progress));

  replace(root, h('h1', { text: 'Message' }),
    h('p', { class: 'lead', text: '"Why did this land in spam?" See what Gmail, Yahoo or Microsoft saw: the authentication verdicts with alignment, their own results beside ours, and the bulk-sender rules.' }),
    h('div', { class: 'panel' }, form), results);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run.setAttribute('disabled', '');
    progress.textContent = 'Verifying…';
    backend.verifyMessage(raw.value, ip.value, helo.value, mailFrom.value)
      .then((r) => { showError(null); replace(results, renderReport(r)); progress.textContent = 'Verified.'; })
      .catch((e) => { showError(/** @type {ApiError} */ (e)); progress.textContent = ''; })
      .finally(() => run.removeAttribute('disabled'));
  });
}

/**
 * @param {string} title
 * @param {string} id
 * @param {boolean} open
 * @param {...(Node | null)} body
 */
function section(title, id, open, ...body) {
  return h('details', { class: 'audit-section', 'data-section': id, open },
    h('summary', {}, title), h('div', { class: 'section-body' }, ...body));
}

/** @param {Report} r */
function renderReport(r) {
  const loud = r.findings.filter((f) => f.severity !== 'pass');
  const ours = /** @type {Record<string, string>} */ ({ spf: r.spf.result, dmarc: r.dmarc.result, arc: r.arc.result });
  return h('section', { class: 'panel audit-report', id: 'msg-report' },
    h('div', { class: `verdict ${r.verdict}`, 'data-verdict': r.verdict },
      h('strong', { class: 'verdict-subject', text: r.subject ?? '(no subject)' }),
      h('span', { class: 'verdict-text', text: ` — ${VERDICT_TEXT[r.verdict] ?? r.verdict}` }),
      h('div', { class: 'hint', text: `From ${r.from.join(', ') || '(none)'} · SPF ${r.spf.result} · DKIM ${r.dkim.map((k) => k.result).join('/') || 'none'} · DMARC ${r.dmarc.result} · ARC ${r.arc.result}` })),
    section(`Findings (${loud.length})`, 'findings', true, ...(loud.length > 0 ? loud.map(renderFinding) : [h('p', { class: 'hint', text: 'Nothing to fix.' })])),
    section('Envelope', 'envelope', false,
      table(['', ''], [['IP', r.envelope.ip ?? 'unknown'], ['HELO', r.envelope.helo ?? 'unknown'], ['MAIL FROM', r.envelope.mail_from ?? 'unknown']]),
      h('ul', { class: 'sources' }, ...r.envelope.sources.map((s) => h('li', { text: s })))),
    section('SPF', 'spf', false, table(['Domain', 'Result', 'Decided by'], [[r.spf.domain ?? '?', r.spf.result, r.spf.matched ?? r.spf.error ?? '']])),
    section('DKIM', 'dkim', false, r.dkim.length === 0 ? h('p', { class: 'hint', text: 'No DKIM signature.' }) :
      table(['Domain', 'Selector', 'Algorithm', 'Key', 'Result', 'Aligned', 'l= / x=', 'Signed headers'], r.dkim.map((k) => [k.domain, k.selector, k.algorithm, k.key_bits === null ? '?' : `${k.key_bits} bits`, k.reason ? `${k.result} (${k.reason})` : k.result, k.aligned ? 'yes' : 'no', `${k.body_length ?? '—'} / ${k.expires ?? '—'}`, k.signed_headers.join(', ')]))),
    section('DMARC', 'dmarc', false,
      table(['From domain', 'Record', 'Result', 'Policy', 'Disposition'], [[r.dmarc.from_domain ?? '?', r.dmarc.record ?? 'none', r.dmarc.result, r.dmarc.policy ?? 'none', r.dmarc.disposition]]),
      h('ul', {}, ...r.dmarc.alignment.map((a) => h('li', { text: a })))),
    section('ARC', 'arc', false, r.arc.hops.length === 0 ? h('p', { class: 'hint', text: `ARC: ${r.arc.result}` }) :
      table(['i=', 'Sealer', 'Selector', 'cv='], r.arc.hops.map((x) => [String(x.instance), x.domain, x.selector, x.cv]))),
    section('Receiver\'s results', 'receiver', r.receiver.length > 0, r.receiver.length === 0 ? h('p', { class: 'hint', text: 'The message carries no Authentication-Results or Received-SPF header.' }) :
      table(['Header', 'Receiver', 'Method', 'Their result', 'Inboxlens', 'Properties'], r.receiver.map((x) => [x.header, x.authserv_id, x.method, x.result, ours[x.method] ?? (x.method === 'dkim' ? r.dkim.map((k) => k.result).join('/') : '—'), x.properties.map(([k, v]) => `${k}=${v}`).join(' ')]), 'msg-receiver')),
    section(`Relay path (${r.hops.length} hops)`, 'hops', false, r.hops.length === 0 ? h('p', { class: 'hint', text: 'No Received headers.' }) :
      h('ol', { class: 'timeline', id: 'msg-hops' }, ...[...r.hops].reverse().map((x) => h('li', {},
        h('strong', { text: `${x.helo ?? '?'}${x.ip ? ` [${x.ip}]` : ''} → ${x.by ?? '?'}` }),
        h('span', { class: 'hint', text: ` ${x.date ?? 'no date'}${x.delay_secs === null ? '' : ` · +${x.delay_secs} s`}${x.with ? ` · ${x.with}` : ''}` }))))),
    section(`Headers (${r.headers.table.length}, ${r.headers.size} bytes)`, 'headers', false,
      table(['Name', 'Value'], r.headers.table.map(([n, v]) => [n, v]), 'msg-headers')));
}
