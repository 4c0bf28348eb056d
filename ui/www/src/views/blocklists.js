// Blocklists: check IPs and domains (typed, or an account's), a targets × lists matrix,
// details of one answer, and the catalogue (enable/disable, edit as TOML).
// Everything from DNS (codes, TXT reasons) is attacker-influenced: text nodes only.

import { backend } from '../backend.js';
import { h, replace, splitList } from '../dom.js';
import { showError } from '../errors.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').BlocklistReportDto} Report */
/** @typedef {import('../bindings').ListResultDto} ListResult */
/** @typedef {import('../bindings').CatalogueDto} Catalogue */

const STATUS_LABEL = /** @type {Record<string, string>} */ ({
  listed: 'LISTED', clean: 'clean', refused: 'refused', timeout: 'timeout', error: 'error', 'dead-list': 'dead list',
});

/** @param {HTMLElement} root */
export async function blocklistsView(root) {
  const targets = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'bl-targets', spellcheck: 'false', placeholder: '192.0.2.10\n2001:db8::25\nexample.com' }));
  const accountSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'bl-account' }, h('option', { value: '', text: '— typed targets —' })));
  const run = h('button', { type: 'submit', class: 'primary', id: 'bl-check', text: 'Check' });
  const progress = h('span', { id: 'bl-progress', class: 'hint', role: 'status' });
  const matrix = h('div', { class: 'panel', id: 'bl-matrix' }, h('p', { class: 'empty', text: 'Results appear here: one row per target, one column per list.' }));
  const details = h('div', { class: 'panel', id: 'bl-details', hidden: true });
  const catalogue = h('div', { class: 'panel', id: 'bl-catalogue' });

  const form = h('form', { id: 'bl-form', novalidate: true },
    h('label', { for: 'bl-targets' }, 'IPs and domains ', h('span', { class: 'hint', text: 'one per line or comma-separated; domains are checked by their registered domain' })), targets,
    h('label', { for: 'bl-account' }, 'Or an account ', h('span', { class: 'hint', text: 'its sending IPs and domains; results go to its history' })), accountSelect,
    h('div', { class: 'row' }, run, progress));

  replace(root, h('h1', { text: 'Blocklists' }),
    h('p', { class: 'lead', text: 'Is a sending IP or domain on a DNS blocklist, what does the listing mean, and can the list be trusted? Lists that refuse your resolver or fail their RFC 5782 test are shown as such, never as clean.' }),
    h('div', { class: 'panel' }, form), matrix, details, catalogue);

  try {
    for (const a of await backend.listAccounts()) {
      accountSelect.append(h('option', { value: String(a.id), text: `${a.name} (${a.sending_ips.length} IPs, ${a.domains.length} domains)` }));
    }
  } catch (e) {
    showError(/** @type {ApiError} */ (e));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const list = splitList(targets.value);
    const accountId = accountSelect.value === '' ? null : Number(accountSelect.value);
    run.setAttribute('disabled', '');
    progress.textContent = `Checking ${list.length > 0 ? list.length : 'the account\'s'} target${list.length === 1 ? '' : 's'}…`;
    details.hidden = true;
    backend.checkBlocklists(list, accountId)
      .then((reports) => { showError(null); renderMatrix(reports); progress.textContent = `Checked ${reports.length} target${reports.length === 1 ? '' : 's'}.`; })
      .catch((e) => { showError(/** @type {ApiError} */ (e)); progress.textContent = ''; })
      .finally(() => run.removeAttribute('disabled'));
  });

  /** @param {Report[]} reports */
  function renderMatrix(reports) {
    /** @type {string[]} */
    const zones = [];
    /** @type {Map<string, string>} */
    const names = new Map();
    for (const r of reports) {
      for (const x of r.results) {
        if (!names.has(x.zone)) { zones.push(x.zone); names.set(x.zone, x.list); }
      }
    }
    const head = h('tr', {}, h('th', { text: 'Target' }), ...zones.map((z) => h('th', { title: z, text: names.get(z) ?? z })));
    const rows = reports.map((r) => h('tr', { class: 'bl-row', 'data-target': r.target },
      h('td', { class: 'name', text: r.queried_as && r.queried_as !== r.target ? `${r.target}\n(as ${r.queried_as})` : r.target }),
      ...zones.map((z) => {
        const res = r.results.find((x) => x.zone === z);
        if (!res) return h('td', { class: 'bl-cell na', text: '—', title: 'not applicable' });
        return h('td', {},
          h('button', { type: 'button', class: `bl-cell ${res.status}`, 'data-zone': z, 'data-status': res.status, text: STATUS_LABEL[res.status] ?? res.status, onclick: () => showDetails(r, res) }));
      })));
    const findings = reports.flatMap((r) => r.findings.filter((f) => f.severity !== 'pass').map((f) => h('li', { class: `finding ${f.severity}` },
      h('strong', { text: `${f.severity}: ` }), f.title, h('div', { class: 'hint', text: f.fix }))));
    replace(matrix,
      h('div', { class: 'scroll' }, h('table', { class: 'matrix' }, h('thead', {}, head), h('tbody', {}, ...rows))),
      findings.length ? h('ul', { class: 'findings', id: 'bl-findings' }, ...findings) : h('p', { class: 'banner ok', text: 'Not listed anywhere that answered.' }));
  }

  /** @param {Report} r @param {ListResult} res */
  function showDetails(r, res) {
    details.hidden = false;
    replace(details,
      h('h2', { text: `${r.target} on ${res.list}` }),
      h('dl', { class: 'facts', id: 'bl-detail-facts' },
        h('dt', { text: 'Status' }), h('dd', { id: 'bl-detail-status', text: STATUS_LABEL[res.status] ?? res.status }),
        h('dt', { text: 'Zone' }), h('dd', { text: res.zone }),
        h('dt', { text: 'Answer' }), h('dd', { text: res.codes.join(', ') || '—' }),
        h('dt', { text: 'Meaning' }), h('dd', { id: 'bl-detail-meaning', text: res.meaning }),
        h('dt', { text: 'Reason (TXT)' }), h('dd', { id: 'bl-detail-txt', text: res.txt ?? '—' }),
        h('dt', { text: 'Delisting' }), h('dd', { id: 'bl-detail-delist', text: res.delist_url || '—' })));
  }

  async function loadCatalogue() {
    try {
      renderCatalogue(await backend.getBlocklists());
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {Catalogue} c */
  function renderCatalogue(c) {
    const rows = c.lists.map((l) => {
      const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', class: 'bl-enabled', 'data-zone': l.zone, 'aria-label': `check ${l.name}` }));
      box.checked = l.enabled;
      box.addEventListener('change', () => {
        backend.setBlocklistEnabled(l.zone, box.checked)
          .then((next) => { showError(null); renderCatalogue(next); })
          .catch((e) => { showError(/** @type {ApiError} */ (e)); box.checked = !box.checked; });
      });
      return h('tr', { class: 'bl-list-row', 'data-zone': l.zone },
        h('td', {}, box), h('td', { class: 'name', text: l.name }), h('td', { class: 'wrap', text: l.zone }),
        h('td', { text: l.kind }), h('td', { text: String(l.weight) }), h('td', { text: l.needs_key ? 'yes' : '' }));
    });
    const editor = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'bl-toml', class: 'code', spellcheck: 'false' }));
    editor.value = c.toml;
    const msg = h('div', { id: 'bl-toml-message', role: 'status' });
    const save = h('button', { type: 'button', class: 'secondary', id: 'bl-toml-save', text: 'Save catalogue' });
    save.addEventListener('click', () => {
      backend.saveBlocklists(editor.value)
        .then((next) => { showError(null); renderCatalogue(next); const m = document.getElementById('bl-toml-message'); if (m) replace(m, h('div', { class: 'banner ok', text: `Saved ${next.lists.length} lists.` })); })
        .catch((e) => showError(/** @type {ApiError} */ (e)));
    });
    replace(catalogue,
      h('h2', { text: 'Catalogue' }),
      h('p', { class: 'hint', text: 'Ticked lists are checked. Edits are kept when Inboxlens updates its built-in catalogue.' }),
      h('table', { id: 'bl-lists' }, h('thead', {}, h('tr', {}, ...['On', 'List', 'Zone', 'Kind', 'Weight', 'Key'].map((t) => h('th', { text: t })))), h('tbody', {}, ...rows)),
      h('details', {}, h('summary', { text: 'Edit as TOML (rules/blocklists.toml format)' }), editor, h('div', { class: 'row' }, save), msg));
  }

  await loadCatalogue();
}
