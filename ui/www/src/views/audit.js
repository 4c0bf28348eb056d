// Domain audit: type a domain (or pick an account), see the verdict, then one section per
// protocol with its findings, the SPF include tree with per-branch lookup counts, and the
// earlier runs of the domain. DNS answers are attacker-influenced: text nodes only.

import { backend } from '../backend.js';
import { h, replace, splitList } from '../dom.js';
import { showError } from '../errors.js';
import { renderFinding, table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').AuditReport} Report */
/** @typedef {import('../bindings').Finding} Finding */
/** @typedef {import('../bindings').SpfNode} SpfNode */
/** @typedef {import('../bindings').AuditRunDto} Run */

/** Sections in order: title, finding-id prefix. */
const SECTIONS = /** @type {const} */ ([
  ['SPF', 'spf-'], ['DKIM', 'dkim-'], ['DMARC', 'dmarc-'], ['MX', 'mx-'],
  ['MTA-STS', 'mta-sts-'], ['TLS-RPT', 'tlsrpt-'], ['BIMI', 'bimi-'], ['Reverse DNS (PTR)', 'ptr-'],
]);

const VERDICT_TEXT = /** @type {Record<string, string>} */ ({
  pass: 'Everything checked passed', info: 'No problems (notes only)', warning: 'Should be fixed',
  error: 'Broken: mail is or will be affected', critical: 'Critical: mail is failing or the domain is open to spoofing',
});

/** @param {HTMLElement} root */
export async function auditView(root) {
  const domain = /** @type {HTMLInputElement} */ (h('input', { id: 'audit-domain', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'example.com' }));
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'audit-account' }, h('option', { value: '', text: '— typed domain —' })));
  const selectors = /** @type {HTMLInputElement} */ (h('input', { id: 'audit-selectors', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 's1, google' }));
  const ips = /** @type {HTMLInputElement} */ (h('input', { id: 'audit-ips', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '192.0.2.10' }));
  const run = h('button', { type: 'submit', class: 'primary', id: 'audit-run', text: 'Audit' });
  const progress = h('span', { id: 'audit-progress', class: 'hint', role: 'status' });
  const results = h('div', { id: 'audit-results' },
    h('div', { class: 'panel' }, h('p', { class: 'empty', text: 'Results appear here: a verdict, then SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, BIMI and PTR, each finding with its evidence and fix.' })));

  const form = h('form', { id: 'audit-form', novalidate: true },
    h('label', { for: 'audit-domain' }, 'Domain ', h('span', { class: 'hint', text: 'one or more, separated by commas or spaces' })), domain,
    h('label', { for: 'audit-account' }, 'Or an account ', h('span', { class: 'hint', text: 'its domains, DKIM selectors and sending IPs; results go to its history' })), accountSelect,
    h('div', { class: 'grid2' },
      h('div', {}, h('label', { for: 'audit-selectors' }, 'DKIM selectors ', h('span', { class: 'hint', text: 'optional; common selectors are tried anyway' })), selectors),
      h('div', {}, h('label', { for: 'audit-ips' }, 'Sending IPs ', h('span', { class: 'hint', text: 'optional; SPF result and reverse DNS of each' })), ips)),
    h('div', { class: 'row' }, run, progress));

  replace(root, h('h1', { text: 'Domain audit' }),
    h('p', { class: 'lead', text: 'Everything receivers look up about a sending domain, checked the way the RFCs say they decide: what is wrong, the records it came from, and what to publish instead.' }),
    h('div', { class: 'panel' }, form), results, dnsHistoryPanel());

  try {
    const list = /** @type {HTMLElement} */ (root.querySelector('#dh-domains'));
    for (const a of await backend.listAccounts()) {
      accountSelect.append(h('option', { value: String(a.id), text: `${a.name} (${a.domains.length} domains)` }));
      for (const d of a.domains) list.append(h('option', { value: d }));
    }
  } catch (e) {
    showError(/** @type {ApiError} */ (e));
  }

  /** @param {string[]} domains @param {number | null} accountId */
  function start(domains, accountId) {
    run.setAttribute('disabled', '');
    progress.textContent = `Auditing ${domains.length > 0 ? domains.join(', ') : 'the account\'s domains'}…`;
    backend.runAudit(domains, accountId, splitList(selectors.value), splitList(ips.value))
      .then((reports) => {
        showError(null);
        replace(results, ...reports.map((r) => renderReport(r, () => start([r.domain], accountId))));
        progress.textContent = `Audited ${reports.length} domain${reports.length === 1 ? '' : 's'}.`;
      })
      .catch((e) => { showError(/** @type {ApiError} */ (e)); progress.textContent = ''; })
      .finally(() => run.removeAttribute('disabled'));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    start(splitList(domain.value), accountSelect.value === '' ? null : Number(accountSelect.value));
  });
}

/**
 * DNS history: pick a domain and two of its stored audits; see what changed between them
 * (records added and removed, grouped by what they are, TTLs, outcomes, findings).
 */
function dnsHistoryPanel() {
  const domain = /** @type {HTMLInputElement} */ (h('input', { id: 'dh-domain', type: 'text', list: 'dh-domains', autocomplete: 'off', spellcheck: 'false', placeholder: 'example.com' }));
  const from = /** @type {HTMLSelectElement} */ (h('select', { id: 'dh-from', 'aria-label': 'older audit' }));
  const to = /** @type {HTMLSelectElement} */ (h('select', { id: 'dh-to', 'aria-label': 'newer audit' }));
  const compare = h('button', { type: 'button', id: 'dh-compare', class: 'primary', text: 'Compare', disabled: true });
  const picker = h('div', { class: 'row', id: 'dh-picker', hidden: true }, h('span', { text: 'from' }), from, h('span', { text: 'to' }), to, compare);
  const out = h('div', { id: 'dh-diff' });
  const form = h('form', { id: 'dh-form', class: 'row', novalidate: true },
    h('label', { for: 'dh-domain', text: 'Domain' }), domain, h('datalist', { id: 'dh-domains' }),
    h('button', { type: 'submit', class: 'secondary', id: 'dh-load', text: 'Show stored audits' }));

  /** @param {Run} r */
  const label = (r) => `#${r.id} · ${r.checked_at.slice(0, 16).replace('T', ' ')} · ${r.verdict}`;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(out);
    backend.auditHistory(domain.value, 100).then((runs) => {
      showError(null);
      if (runs.length < 2) {
        picker.hidden = true;
        replace(out, h('p', { class: 'empty', text: runs.length === 0 ? `No stored audits of ${domain.value.trim()}: audit it above.` : `One stored audit of ${domain.value.trim()}: audit it again to have something to compare.` }));
        return;
      }
      replace(from, ...runs.map((r) => h('option', { value: String(r.id), text: label(r) })));
      replace(to, ...runs.map((r) => h('option', { value: String(r.id), text: label(r) })));
      from.value = String(runs[1].id);
      to.value = String(runs[0].id);
      picker.hidden = false;
      compare.removeAttribute('disabled');
    }).catch((e) => showError(/** @type {ApiError} */ (e)));
  });
  compare.addEventListener('click', () => {
    backend.auditDiff(domain.value, Number(from.value), Number(to.value)).then((d) => {
      showError(null);
      const x = d.diff;
      /** @type {Node[]} */
      const parts = [h('p', { id: 'dh-summary', text: `${d.domain}: audit #${d.from.id} (${d.from.checked_at}, resolver ${d.from.resolver}) → audit #${d.to.id} (${d.to.checked_at}, resolver ${d.to.resolver})` })];
      const nothing = d.changes.length === 0 && x.ttl_changed.length === 0 && x.findings_added.length === 0 && x.findings_removed.length === 0;
      if (nothing) parts.push(h('p', { class: 'empty', id: 'dh-none', text: x.records_compared ? 'No change: the same records, TTLs and findings.' : 'No change in findings (the older audit kept no DNS snapshot, so records were not compared).' }));
      for (const c of d.changes) {
        parts.push(h('div', { class: 'change', 'data-what': c.what },
          h('span', { class: 'change-what', text: `${c.what} ` }), h('span', { class: 'how', text: c.how }),
          h('pre', { class: 'evidence', text: c.evidence.join('\n') })));
      }
      if (x.ttl_changed.length > 0) parts.push(table(['record', 'TTL before', 'TTL after'], x.ttl_changed.map(([r, a, b]) => [r, String(a), String(b)]), 'dh-ttl'));
      if (x.findings_added.length + x.findings_removed.length > 0) {
        parts.push(table(['finding', ''], [...x.findings_added.map((f) => [f, 'new']), ...x.findings_removed.map((f) => [f, 'gone'])], 'dh-findings'));
      }
      if (!x.records_compared && !nothing) parts.push(h('p', { class: 'hint', text: 'The older audit kept no DNS snapshot: only findings were compared.' }));
      replace(out, ...parts);
    }).catch((e) => showError(/** @type {ApiError} */ (e)));
  });
  return h('div', { class: 'panel', id: 'dh-panel' }, h('h2', { text: 'DNS history' }),
    h('p', { class: 'hint', text: 'Every audit keeps the records it saw, with their TTLs and the resolver that answered. Compare any two: what changed since the last ticket.' }),
    form, picker, out);
}

/**
 * @param {Report} r
 * @param {() => void} rerun
 */
function renderReport(r, rerun) {
  const s = r.summary;
  const counts = `${s.critical} critical · ${s.error} error · ${s.warning} warning · ${s.info} info · ${s.pass} passed`;
  const history = h('div', { class: 'audit-history', 'data-domain': r.domain }, h('p', { class: 'hint', text: 'Loading earlier runs…' }));
  const card = h('section', { class: 'panel audit-report', 'data-domain': r.domain },
    h('div', { class: `verdict ${r.verdict}`, 'data-verdict': r.verdict },
      h('strong', { class: 'verdict-domain', text: r.domain }),
      h('span', { class: 'verdict-text', text: ` — ${VERDICT_TEXT[r.verdict] ?? r.verdict}` }),
      h('div', { class: 'hint', text: `${counts} · ${r.dns.queries} DNS queries in ${r.dns.elapsed_ms} ms` })),
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary audit-rerun', onclick: rerun, text: 'Re-run' })),
    ...SECTIONS.map(([title, prefix]) => renderSection(r, title, prefix)),
    h('h2', { text: 'Earlier runs' }), history);
  void loadHistory(r.domain, history);
  return card;
}

/**
 * @param {Report} r
 * @param {string} title
 * @param {string} prefix
 */
function renderSection(r, title, prefix) {
  const findings = r.findings.filter((f) => f.id.startsWith(prefix));
  const worst = findings.reduce((w, f) => Math.max(w, RANK[f.severity] ?? 0), 0);
  const sev = Object.keys(RANK).find((k) => RANK[k] === worst) ?? 'pass';
  const body = h('div', { class: 'section-body' });
  const facts = sectionFacts(r, prefix);
  if (facts) body.append(facts);
  if (findings.length === 0) body.append(h('p', { class: 'hint', text: 'Nothing to report.' }));
  for (const f of findings) body.append(renderFinding(f));
  return h('details', { class: `audit-section sev-${sev}`, 'data-section': prefix.slice(0, -1), open: worst >= RANK.warning },
    h('summary', {}, h('span', { class: `badge ${sev}`, text: sev }), ` ${title}`,
      h('span', { class: 'hint', text: ` ${findings.filter((f) => f.severity !== 'pass').length} finding(s)` })),
    body);
}

const RANK = /** @type {Record<string, number>} */ ({ pass: 0, info: 1, warning: 2, error: 3, critical: 4 });

/**
 * The facts of a section (records, keys, hosts) above its findings.
 * @param {Report} r
 * @param {string} prefix
 * @returns {HTMLElement | null}
 */
function sectionFacts(r, prefix) {
  switch (prefix) {
    case 'spf-': {
      const spf = r.spf;
      const box = h('div', { class: 'facts-block' });
      if (spf.records.length === 0) return h('p', { class: 'hint', text: 'No SPF record.' });
      box.append(h('pre', { class: 'record', text: spf.records.join('\n') }),
        h('p', {}, h('span', { class: `budget${spf.lookups > 10 ? ' over' : ''}`, id: 'spf-budget', text: `${spf.lookups} of 10 DNS lookups` }),
          ` · ${spf.void_lookups} of 2 void lookups · a sender listed nowhere gets `, h('strong', { text: spf.result_for_unlisted })));
      for (const c of spf.ip_checks) {
        box.append(h('p', { class: 'ip-result', text: `${c.ip}: ${c.result}${c.matched ? ` (by ${c.matched})` : ''}` }));
      }
      if (spf.tree) box.append(h('div', { class: 'spf-tree', id: 'spf-tree' }, h('ul', {}, spfNode(spf.tree))));
      if (spf.flattened) box.append(h('p', { class: 'hint', text: 'Flattened replacement:' }), h('pre', { class: 'record', text: spf.flattened.join('\n') }));
      return box;
    }
    case 'dkim-':
      if (r.dkim.length === 0) return null;
      return table(['Selector', 'Status', 'Key', 'Delegated to'], r.dkim.map((k) => [
        k.name, k.status + (k.discovered ? ' (discovered)' : ''),
        k.bits ? `${k.key_type ?? ''} ${k.bits} bits${k.testing ? ', t=y' : ''}` : (k.error ?? ''), k.cname.join('\n')]));
    case 'dmarc-': {
      const d = r.dmarc.discovery;
      return h('div', {},
        table(['Query', 'Found'], d.steps.map((st) => [st.name, stepText(st.outcome)])),
        r.dmarc.external.length > 0 ? table(['Report destination', 'Authorized'], r.dmarc.external.map((x) => [`${x.tag}: ${x.uri}`, x.authorized === null ? 'lookup failed' : x.authorized ? 'yes' : 'no'])) : null);
    }
    case 'mx-':
      if (r.mx.length === 0) return h('p', { class: 'hint', text: `MX: ${r.mx_status}${r.mx_implicit.length > 0 ? ` (implicit: ${r.mx_implicit.join(', ')})` : ''}` });
      return table(['Pref', 'Exchange', 'Addresses'], r.mx.map((m) => [String(m.preference), m.exchange, m.addresses.join('\n') || (m.error ?? '—')]));
    case 'mta-sts-': {
      const p = r.mta_sts.policy;
      const status = !p ? 'no policy fetched' : p.status === 'ok' ? `mode ${p.policy.mode}, max_age ${p.policy.max_age}, mx ${p.policy.mx.join(', ')}` : p.status === 'not-fetched' ? 'policy not fetched (turned off in Settings)' : `${p.status}: ${p.error}`;
      return h('div', {}, r.mta_sts.records.length > 0 ? h('pre', { class: 'record', text: r.mta_sts.records.join('\n') }) : null, h('p', { class: 'hint', text: `Policy: ${status}` }));
    }
    case 'tlsrpt-':
      return r.tls_rpt.records.length > 0 ? h('pre', { class: 'record', text: r.tls_rpt.records.join('\n') }) : null;
    case 'bimi-':
      return r.bimi.records.length > 0 ? h('pre', { class: 'record', text: r.bimi.records.join('\n') }) : null;
    case 'ptr-':
      if (r.ptr.length === 0) return h('p', { class: 'hint', text: 'Give sending IPs (or an account with IPs) to check their reverse DNS.' });
      return table(['IP', 'PTR', 'Resolves back'], r.ptr.map((p) => [p.ip, p.ptr.join('\n') || (p.error ?? 'none'), p.confirmed.join('\n') || 'no']));
    default:
      return null;
  }
}

/** @param {import('../bindings').StepOutcome} o */
function stepText(o) {
  switch (o.outcome) {
    case 'record': return o.text;
    case 'multiple': return o.texts.join('\n');
    case 'error': return o.message;
    case 'suffix-error': return `${o.message} (a public suffix: treated as no record)`;
    default: return 'no DMARC record';
  }
}

/**
 * One node of the SPF include tree: domain, result and the lookups its terms cost.
 * @param {SpfNode} n
 * @returns {HTMLElement}
 */
function spfNode(n) {
  const li = h('li', { class: 'spf-node', 'data-domain': n.domain },
    h('span', { class: 'spf-domain', text: n.domain }),
    h('span', { class: `spf-result ${n.result}`, text: ` ${n.result}` }),
    h('span', { class: 'hint', text: ` · ${n.lookups} lookup${n.lookups === 1 ? '' : 's'} below` }),
    n.error ? h('div', { class: 'spf-error', text: n.error }) : null);
  const terms = h('ul', {});
  for (const t of n.terms) {
    const item = h('li', { class: `spf-term${t.matched ? ' matched' : ''}` },
      h('code', { text: t.term }),
      t.lookups > 0 ? h('span', { class: 'cost', text: ` ${t.lookups}` }) : null,
      t.note ? h('span', { class: 'hint', text: ` ${t.note}` }) : null);
    if (t.child) item.append(h('ul', {}, spfNode(t.child)));
    terms.append(item);
  }
  li.append(terms);
  return li;
}

/**
 * Earlier runs, newest first, with what changed against the run before each.
 * @param {string} domain
 * @param {HTMLElement} box
 */
async function loadHistory(domain, box) {
  /** @type {Run[]} */
  let runs;
  try {
    runs = await backend.auditHistory(domain, 20);
  } catch (e) {
    replace(box, h('p', { class: 'hint', text: `Earlier runs cannot be shown: ${/** @type {ApiError} */ (e).message}` }));
    return;
  }
  if (runs.length === 0) {
    replace(box, h('p', { class: 'hint', text: 'No earlier runs.' }));
    return;
  }
  replace(box, table(['When (UTC)', 'Verdict', 'Critical / error / warning', 'Changes since the run before'], runs.map((run, i) => {
    const prev = runs[i + 1];
    let change = 'first run';
    if (prev) {
      const added = run.finding_ids.filter((id) => !prev.finding_ids.includes(id));
      const gone = prev.finding_ids.filter((id) => !run.finding_ids.includes(id));
      change = added.length + gone.length === 0 ? 'no change' : [...added.map((a) => `+ ${a}`), ...gone.map((g) => `− ${g}`)].join('\n');
    }
    return [run.checked_at, run.verdict, `${run.critical} / ${run.error} / ${run.warning}`, change];
  })));
}
