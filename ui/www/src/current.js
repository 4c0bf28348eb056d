// The account being worked on, shared by the views: choosing an account in one view (or
// from search) keeps it chosen in the next. Kept for the session only.

import { backend } from './backend.js';
import { h } from './dom.js';
import { showError } from './errors.js';

const KEY = 'inboxlens.account';

/** @returns {number | null} */
export function currentAccount() {
  const v = Number(sessionStorage.getItem(KEY));
  return Number.isInteger(v) && v > 0 ? v : null;
}

/** @param {number | null} id */
export function setCurrentAccount(id) {
  if (id === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, String(id));
}

/**
 * Fills an account `<select>` and selects the current account (else the first), keeping
 * the choice current when it changes.
 * @param {HTMLSelectElement} select
 * @param {import('./bindings').AccountDto[]} accounts
 */
export function fillAccountSelect(select, accounts) {
  select.replaceChildren(...accounts.map((a) => h('option', { value: String(a.id), text: a.name })));
  const want = currentAccount();
  if (want !== null && accounts.some((a) => a.id === want)) select.value = String(want);
  if (select.value) setCurrentAccount(Number(select.value));
  select.addEventListener('change', () => setCurrentAccount(Number(select.value)));
}

/**
 * Every account, for an account picker; a failure goes to the error banner and yields none.
 * @returns {Promise<import('./bindings').AccountDto[]>}
 */
export async function loadAccounts() {
  try {
    return await backend.listAccounts();
  } catch (e) {
    showError(/** @type {import('./bindings').ApiError} */ (e));
    return [];
  }
}
