// App start: navigation between views and the status bar.

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

/** @typedef {{ id: string, label: string, render: (root: HTMLElement) => Promise<void> | void }} View */

/** @type {View[]} */
const VIEWS = [
  { id: 'accounts', label: 'Accounts', render: accountsView },
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
  replace(nav, ...VIEWS.map((v) => h('li', {},
    h('button', { type: 'button', 'data-view': v.id, onclick: () => { location.hash = v.id; } },
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

window.addEventListener('hashchange', () => { void show(location.hash.slice(1)); });
buildNav();
void status();
void show(location.hash.slice(1) || 'accounts');
