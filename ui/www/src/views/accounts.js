// Accounts: list, create, edit, delete. Everything shown from the database is text.

import { backend } from '../backend.js';
import { h, replace, splitList } from '../dom.js';
import { showError } from '../errors.js';
import { setCurrentAccount } from '../current.js';

/** @typedef {import('../bindings').AccountDto} AccountDto */
/** @typedef {import('../bindings').ApiError} ApiError */

/** @param {HTMLElement} root */
export async function accountsView(root) {
  const list = h('div', { class: 'panel', id: 'accounts-list' });
  const form = h('div', { class: 'panel', id: 'account-form-panel' });
  replace(root,
    h('h1', { text: 'Accounts' }),
    h('p', { class: 'lead', text: 'One account per customer: the domains, sending IPs and DKIM selectors you inspect for them.' }),
    h('div', { class: 'grid2' }, list, form));

  /** @type {AccountDto[]} */
  let accounts = [];

  async function reload() {
    try {
      accounts = await backend.listAccounts();
      renderList();
    } catch (e) {
      showError(/** @type {ApiError} */ (e));
      replace(list, h('p', { class: 'empty', text: 'Accounts cannot be shown: see the message above.' }));
    }
  }

  function renderList() {
    if (accounts.length === 0) {
      replace(list, h('p', { class: 'empty', id: 'accounts-empty', text: 'No accounts yet. Create the first one with the form.' }));
      return;
    }
    const rows = accounts.map((a) => {
      const del = h('button', { type: 'button', class: 'danger', 'data-action': 'delete', text: 'Delete' });
      del.addEventListener('click', () => confirmDelete(a, del));
      return h('tr', { class: 'account-row', 'data-id': a.id },
        h('td', { class: 'name account-name', text: a.name }),
        h('td', { class: 'wrap', text: a.domains.join('\n') || '—' }),
        h('td', { class: 'wrap', text: a.sending_ips.join('\n') || '—' }),
        h('td', { class: 'wrap', text: a.dkim_selectors.join('\n') || '—' }),
        h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-action': 'open', text: 'Open', onclick: () => { setCurrentAccount(a.id); location.hash = 'overview'; } }),
          h('button', { type: 'button', class: 'secondary', 'data-action': 'edit', text: 'Edit', onclick: () => renderForm(a) }),
          del));
    });
    replace(list, h('table', { class: 'accounts' },
      h('colgroup', {}, ...['c-name', 'c-domains', 'c-ips', 'c-selectors', 'c-actions'].map((c) => h('col', { class: c }))),
      h('thead', {}, h('tr', {}, ...['Name', 'Domains', 'Sending IPs', 'DKIM selectors', ''].map((t) => h('th', { text: t })))),
      h('tbody', {}, ...rows)));
  }

  /**
   * Two-step delete: the first click asks, the second deletes.
   * @param {AccountDto} a
   * @param {HTMLElement} btn
   */
  function confirmDelete(a, btn) {
    if (btn.dataset.armed !== 'true') {
      btn.dataset.armed = 'true';
      btn.textContent = 'Confirm delete';
      btn.setAttribute('title', `Delete “${a.name}” and everything stored for it`);
      return;
    }
    backend.deleteAccount(a.id)
      .then(() => { showError(null); return reload(); })
      .then(() => renderForm(null))
      .catch((e) => showError(/** @type {ApiError} */ (e)));
  }

  /** @param {AccountDto | null} editing */
  function renderForm(editing) {
    /** @param {string} id @param {string} value @param {boolean} [multi] */
    const field = (id, value, multi = false) => {
      const el = multi ? h('textarea', { id }) : h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false' });
      /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el).value = value;
      return el;
    };
    const name = field('account-name', editing?.name ?? '');
    const domains = field('account-domains', editing?.domains.join('\n') ?? '', true);
    const ips = field('account-ips', editing?.sending_ips.join('\n') ?? '', true);
    const selectors = field('account-selectors', editing?.dkim_selectors.join(', ') ?? '');
    const notes = field('account-notes', editing?.notes ?? '', true);
    const val = (/** @type {HTMLElement} */ el) => /** @type {HTMLInputElement} */ (el).value;
    const message = h('div', { id: 'account-form-message', role: 'status' });
    const save = h('button', { type: 'submit', class: 'primary', id: 'account-save', text: editing ? 'Save changes' : 'Create account' });
    const formEl = h('form', { id: 'account-form', novalidate: true },
      h('h2', { text: editing ? `Edit ${editing.name}` : 'New account' }),
      h('label', { for: 'account-name', text: 'Name' }), name,
      h('label', { for: 'account-domains' }, 'Sending domains ', h('span', { class: 'hint', text: 'one per line or comma-separated' })), domains,
      h('label', { for: 'account-ips' }, 'Sending IPs ', h('span', { class: 'hint', text: 'IPv4 or IPv6' })), ips,
      h('label', { for: 'account-selectors' }, 'DKIM selectors ', h('span', { class: 'hint', text: 'e.g. s1, google, k1' })), selectors,
      h('label', { for: 'account-notes', text: 'Notes' }), notes,
      h('div', { class: 'row' }, save,
        editing ? h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => renderForm(null) }) : null),
      message);
    formEl.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = {
        name: val(name),
        domains: splitList(val(domains)),
        sending_ips: splitList(val(ips)),
        dkim_selectors: splitList(val(selectors)),
        notes: val(notes),
      };
      save.setAttribute('disabled', '');
      const op = editing ? backend.updateAccount(editing.id, input) : backend.createAccount(input);
      op.then(async (saved) => {
        showError(null);
        await reload();
        renderForm(null);
        const m = document.getElementById('account-form-message');
        if (m) replace(m, h('div', { class: 'banner ok', text: `${editing ? 'Saved' : 'Created'} account “${saved.name}”.` }));
      }).catch((e) => {
        save.removeAttribute('disabled');
        showError(/** @type {ApiError} */ (e));
      });
    });
    replace(form, formEl);
  }

  renderForm(null);
  await reload();
}
