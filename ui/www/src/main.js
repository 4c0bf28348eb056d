// App start: navigation between views, search across accounts, keyboard shortcuts and the
// status bar.

import { backend } from './backend.js';
import { h, replace } from './dom.js';
import { showError } from './errors.js';
import { accountsView } from './views/accounts.js';
import { settingsView } from './views/settings.js';
import { blocklistsView } from './views/blocklists.js';
import { auditView } from './views/audit.js';
import { messageView } from './views/message.js';
import { feedsView } from './views/feeds.js';
import { reportsView } from './views/reports.js';
import { habitsView } from './views/habits.js';
import { rulesView } from './views/rules.js';
import { overviewView } from './views/overview.js';
import { timelineView } from './views/timeline.js';
import { setCurrentAccount } from './current.js';

/** @typedef {{ id: string, label: string, render: (root: HTMLElement) => Promise<void> | void }} View */

/** @type {View[]} */
const VIEWS = [
  { id: 'accounts', label: 'Accounts', render: accountsView },
  { id: 'overview', label: 'Overview', render: overviewView },
  { id: 'timeline', label: 'Timeline', render: timelineView },
  { id: 'audit', label: 'Domain audit', render: auditView },
  { id: 'blocklists', label: 'Blocklists', render: blocklistsView },
  { id: 'message', label: 'Message', render: messageView },
  { id: 'feeds', label: 'Feeds', render: feedsView },
  { id: 'reports', label: 'Reports', render: reportsView },
  { id: 'habits', label: 'Sending habits', render: habitsView },
  { id: 'rules', label: 'Rules', render: rulesView },
  { id: 'settings', label: 'Settings', render: settingsView },
];

/** @param {string} id */
async function show(id) {
  const view = VIEWS.find((v) => v.id === id) ?? VIEWS[0];
  for (const btn of document.querySelectorAll('#nav button')) {
    if (btn instanceof HTMLElement && btn.dataset.view === view.id) btn.setAttribute('aria-current', 'page');
    else btn.removeAttribute('aria-current');
  }
  showError(null);
  const root = /** @type {HTMLElement} */ (document.getElementById('view'));
  root.dataset.view = view.id;
  replace(root);
  await view.render(root);
}

function buildNav() {
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  replace(nav, ...VIEWS.map((v, i) => h('li', {},
    h('button', { type: 'button', 'data-view': v.id, title: i < 9 ? `Alt+${i + 1}` : null, onclick: () => { location.hash = v.id; } },
      h('span', { text: v.label })))));
}

async function status() {
  const bar = /** @type {HTMLElement} */ (document.getElementById('status'));
  try {
    const info = await backend.appInfo();
    const db = info.db_error ? `database not open: ${info.db_error}` : `database ${info.db_path ?? '?'} (schema ${info.schema_version ?? '?'})`;
    bar.textContent = `Inboxlens ${info.version} · ${db}`;
    if (info.db_error) showError({ code: 'db', message: info.db_error });
  } catch (e) {
    bar.textContent = 'Inboxlens · backend unavailable';
  }
}

/**
 * Opens `view` (re-rendering it when it is already open, so a changed current account shows).
 * @param {string} view
 */
function open(view) {
  if (location.hash.slice(1) === view) void show(view);
  else location.hash = view;
}

/** Search across accounts: as you type, results below the box; arrows and Enter choose. */
function buildSearch() {
  const box = /** @type {HTMLInputElement} */ (document.getElementById('search'));
  const results = /** @type {HTMLElement} */ (document.getElementById('search-results'));
  let timer = 0;
  let asked = '';
  const close = () => { replace(results); results.hidden = true; };
  const run = async () => {
    const q = box.value.trim();
    asked = q;
    if (q.length < 2) { close(); return; }
    /** @type {import('./bindings').SearchHit[]} */
    let hits;
    try {
      hits = await backend.search(q);
    } catch (e) {
      showError(/** @type {import('./bindings').ApiError} */ (e));
      return;
    }
    if (asked !== q) return; // a newer query is on its way
    results.hidden = false;
    if (hits.length === 0) {
      replace(results, h('li', { class: 'hint', text: `Nothing matches "${q}".` }));
      return;
    }
    replace(results, ...hits.map((hit) => h('li', {},
      h('button', {
        type: 'button', class: 'hit', 'data-kind': hit.kind, 'data-view': hit.view,
        onclick: () => { setCurrentAccount(hit.account_id); close(); box.value = ''; open(hit.view); },
      },
      h('span', { class: 'hit-text', text: hit.text }),
      h('span', { class: 'hint', text: ` ${hit.kind} · ${hit.account}${hit.detail ? ` · ${hit.detail}` : ''}` })))));
  };
  box.addEventListener('input', () => { clearTimeout(timer); timer = window.setTimeout(() => { void run(); }, 150); });
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { box.value = ''; close(); box.blur(); }
    if (ev.key === 'ArrowDown') { ev.preventDefault(); /** @type {HTMLElement | null} */ (results.querySelector('button'))?.focus(); }
    if (ev.key === 'Enter') { ev.preventDefault(); /** @type {HTMLElement | null} */ (results.querySelector('button'))?.click(); }
  });
  results.addEventListener('keydown', (ev) => {
    const buttons = /** @type {HTMLElement[]} */ ([...results.querySelectorAll('button')]);
    const i = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (ev.key === 'ArrowDown') { ev.preventDefault(); buttons[Math.min(i + 1, buttons.length - 1)]?.focus(); }
    if (ev.key === 'ArrowUp') { ev.preventDefault(); if (i <= 0) box.focus(); else buttons[i - 1].focus(); }
    if (ev.key === 'Escape') { close(); box.focus(); }
  });
}

/** Keyboard: "/" or Ctrl+K searches, Alt+1…9 open the views in order, arrows move in the nav. */
function keyboard() {
  document.addEventListener('keydown', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target);
    const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.isContentEditable;
    if ((ev.key === '/' && !typing) || (ev.key.toLowerCase() === 'k' && (ev.ctrlKey || ev.metaKey))) {
      ev.preventDefault();
      /** @type {HTMLElement} */ (document.getElementById('search')).focus();
      return;
    }
    if (ev.altKey && !ev.ctrlKey && /^[1-9]$/.test(ev.key)) {
      const view = VIEWS[Number(ev.key) - 1];
      if (view) { ev.preventDefault(); open(view.id); }
    }
  });
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  nav.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const buttons = /** @type {HTMLElement[]} */ ([...nav.querySelectorAll('button')]);
    const i = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    ev.preventDefault();
    buttons[(i + (ev.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
  });
}

window.addEventListener('hashchange', () => { void show(location.hash.slice(1)); });
buildNav();
buildSearch();
keyboard();
void status();
void show(location.hash.slice(1) || 'accounts');
