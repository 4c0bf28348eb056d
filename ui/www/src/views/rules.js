// Rules: the rule set habits are scored against. List and filter; open a rule to edit its
// TOML with live validation (the error's field and position, each example's result); switch
// rules on and off; add, delete, reset shipped rules; export the set as TOML.

import { backend } from '../backend.js';
import { h, replace } from '../dom.js';
import { showError } from '../errors.js';
import { table } from './findings.js';

/** @typedef {import('../bindings').ApiError} ApiError */
/** @typedef {import('../bindings').StoredRule} StoredRule */
/** @typedef {import('../bindings').RuleCheck} RuleCheck */

const AREAS = ['authentication', 'dns', 'blocklists', 'bounces', 'complaints', 'hygiene', 'volume', 'message'];

const TEMPLATE = `id = "own-new-rule"
area = "bounces"
severity = "warning"
weight = 5
when = "bounce_rate > 0.08 && sent >= 1000"
title = "A one-line title"
why = "Why this matters to mailbox providers."
fix = "What to change, concretely."
references = []

[[example]]
metrics = { bounce_rate = 0.1, sent = 5000 }
fires = true

[[example]]
metrics = { bounce_rate = 0.01, sent = 5000 }
fires = false
`;

/** @param {StoredRule} r */
function state(r) {
  if (!r.enabled) return 'off';
  if (!r.builtin) return 'own';
  return r.user_edited ? 'edited' : 'shipped';
}

/** @param {HTMLElement} root */
export async function rulesView(root) {
  const filter = /** @type {HTMLInputElement} */ (h('input', { id: 'ru-filter', type: 'search', spellcheck: 'false', placeholder: 'filter by id, title or expression' }));
  const area = /** @type {HTMLSelectElement} */ (h('select', { id: 'ru-area' }, h('option', { value: '', text: 'every area' }), ...AREAS.map((a) => h('option', { value: a, text: a }))));
  const addBtn = h('button', { type: 'button', id: 'ru-add', class: 'secondary', text: 'New rule' });
  const exportBtn = h('button', { type: 'button', id: 'ru-export', class: 'secondary', text: 'Export' });
  const list = h('div', { class: 'panel', id: 'ru-list' });
  const editor = h('div', { class: 'panel', id: 'ru-editor', hidden: true });
  const exported = h('div', { class: 'panel', id: 'ru-exported', hidden: true });
  replace(root, h('h1', { text: 'Rules' }),
    h('p', { class: 'lead', text: 'Each rule is a CEL expression over the account\'s metrics with a weight, a severity, why it matters and the fix. Shipped rules follow upgrades until you edit them; your edits, switched-off rules and your own rules are kept.' }),
    h('div', { class: 'panel row', id: 'ru-tools' }, filter, area, addBtn, exportBtn), editor, exported, list);

  /** @type {StoredRule[]} */
  let rules = [];

  async function reload() {
    try {
      rules = await backend.listRules();
      showError(null);
      renderList();
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  function renderList() {
    const q = filter.value.trim().toLowerCase();
    const shown = rules.filter((r) => {
      const x = r.rule;
      if (area.value && x?.area !== area.value) return false;
      if (!q) return true;
      return [r.id, x?.title ?? '', x?.when ?? ''].some((t) => t.toLowerCase().includes(q));
    });
    const rows = shown.map((r) => {
      const x = r.rule;
      const toggle = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', class: 'rule-enabled', 'aria-label': `enable ${r.id}`, checked: r.enabled }));
      toggle.addEventListener('change', () => { void setEnabled(r.id, toggle.checked); });
      return h('tr', { class: 'rule-row', 'data-rule': r.id },
        h('td', {}, toggle),
        h('td', {}, h('button', { type: 'button', class: 'link rule-open', onclick: () => openEditor(r), text: r.id })),
        h('td', { text: x?.area ?? '—' }),
        h('td', {}, h('span', { class: `badge ${x?.severity ?? 'error'}`, text: x?.severity ?? 'invalid' })),
        h('td', { text: x ? String(x.weight) : '—' }),
        h('td', { text: state(r) }),
        h('td', { class: 'wrap', text: x?.title ?? r.error?.message ?? '' }));
    });
    replace(list, h('p', { class: 'hint', id: 'ru-count', text: `${shown.length} of ${rules.length} rules` }),
      h('div', { class: 'scroll' }, h('table', { class: 'facts-table', id: 'ru-table' },
        h('thead', {}, h('tr', {}, ...['on', 'id', 'area', 'severity', 'weight', 'state', 'title'].map((c) => h('th', { text: c })))),
        h('tbody', {}, ...rows))));
  }

  /** @param {string} id @param {boolean} enabled */
  async function setEnabled(id, enabled) {
    try {
      await backend.setRuleEnabled(id, enabled);
      await reload();
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  }

  /** @param {StoredRule | null} r */
  function openEditor(r) {
    exported.hidden = true;
    const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'ru-text', spellcheck: 'false', rows: 22 }));
    text.value = r ? r.toml : TEMPLATE;
    const result = h('div', { id: 'ru-check', role: 'status' });
    const save = h('button', { type: 'button', id: 'ru-save', class: 'primary', text: 'Save' });
    const del = h('button', { type: 'button', id: 'ru-delete', class: 'danger', text: 'Delete' });
    const reset = h('button', { type: 'button', id: 'ru-reset', class: 'secondary', text: 'Reset to shipped' });
    const close = h('button', { type: 'button', id: 'ru-close', class: 'secondary', text: 'Close' });
    editor.hidden = false;
    replace(editor, h('h2', { text: r ? `Edit ${r.id}` : 'New rule' }),
      h('p', { class: 'hint', text: 'TOML as in rules/ (DESIGN.md §4). Checked as you type: the expression, the metrics it reads and every example.' }),
      text, result, h('div', { class: 'row' }, save, r ? del : null, r?.builtin && r.user_edited ? reset : null, close));
    /** @type {number | undefined} */
    let timer;
    const validate = async () => {
      try {
        renderCheck(result, await backend.checkRule(text.value));
      } catch (e) {
        showError(/** @type {ApiError} */ (e));
      }
    };
    text.addEventListener('input', () => {
      if (timer !== undefined) window.clearTimeout(timer);
      timer = window.setTimeout(() => { void validate(); }, 250);
    });
    save.addEventListener('click', async () => {
      try {
        const saved = await backend.saveRule(text.value);
        showError(null);
        replace(result, h('p', { class: 'ok', id: 'ru-saved', text: `Saved ${saved.id}.` }));
        await reload();
      } catch (e) {
        showError(/** @type {ApiError} */ (e));
      }
    });
    del.addEventListener('click', async () => {
      if (!r) return;
      try {
        await backend.deleteRule(r.id);
        editor.hidden = true;
        await reload();
      } catch (e) {
        showError(/** @type {ApiError} */ (e));
      }
    });
    reset.addEventListener('click', async () => {
      if (!r) return;
      try {
        await backend.resetRule(r.id);
        editor.hidden = true;
        await reload();
      } catch (e) {
        showError(/** @type {ApiError} */ (e));
      }
    });
    close.addEventListener('click', () => { editor.hidden = true; });
    void validate();
  }

  /** @param {HTMLElement} box @param {RuleCheck} c */
  function renderCheck(box, c) {
    /** @type {Node[]} */
    const parts = [];
    if (c.error) {
      const at = c.error.position ? ` (line ${c.error.position[0]}, column ${c.error.position[1]})` : '';
      parts.push(h('p', { class: 'invalid', id: 'ru-error', text: `${c.error.field}${at}: ${c.error.message}` }));
    } else {
      parts.push(h('p', { class: 'ok', id: 'ru-valid', text: `Valid: ${c.examples.length} example${c.examples.length === 1 ? '' : 's'}, all as expected.` }));
    }
    if (c.examples.length > 0) {
      parts.push(table(['example', 'expects', 'result', ''], c.examples.map((e) => [
        String(e.number), e.fires ? 'fires' : 'passes',
        e.outcome.outcome === 'unknown' ? `no value for ${e.outcome.missing.join(', ')}` : e.outcome.outcome === 'error' ? `error: ${e.outcome.message}` : e.outcome.outcome,
        e.ok ? 'ok' : 'WRONG',
      ]), 'ru-examples'));
    }
    replace(box, ...parts);
  }

  addBtn.addEventListener('click', () => openEditor(null));
  exportBtn.addEventListener('click', async () => {
    try {
      const text = await backend.exportRules();
      const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'ru-export-text', readonly: true, rows: 16, spellcheck: 'false' }));
      area.value = text;
      exported.hidden = false;
      replace(exported, h('h2', { text: 'Export' }),
        h('p', { class: 'hint', text: `${rules.length} rules as one TOML document; copy it, or use \`inboxlens rules export > rules.toml\` and \`inboxlens rules import rules.toml\`.` }), area);
      area.select();
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
    }
  });
  filter.addEventListener('input', renderList);
  area.addEventListener('change', renderList);
  await reload();
}
