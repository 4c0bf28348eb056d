// Settings: resolver, timeout, attempts, Spamhaus DQS key; where the database is.

import { backend } from '../backend.js';
import { h, replace, splitList } from '../dom.js';
import { showError } from '../errors.js';

/** @typedef {import('../bindings').ApiError} ApiError */

/** @param {HTMLElement} root */
export async function settingsView(root) {
  replace(root, h('h1', { text: 'Settings' }),
    h('p', { class: 'lead', text: 'Where DNS questions go and how long to wait. The command line (inboxlens settings) reads and writes the same settings.' }));
  let settings, info;
  try {
    [settings, info] = await Promise.all([backend.getSettings(), backend.appInfo()]);
  } catch (e) {
    showError(/** @type {ApiError} */ (e));
    root.append(h('p', { class: 'empty', text: 'Settings cannot be shown: see the message above.' }));
    return;
  }
  /** @param {string} id @param {string} value @param {string} type */
  const input = (id, value, type) => {
    const el = /** @type {HTMLInputElement} */ (h('input', { id, type, autocomplete: 'off', spellcheck: 'false' }));
    el.value = value;
    return el;
  };
  const ns = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'settings-nameservers', spellcheck: 'false' }));
  ns.value = settings.nameservers.join('\n');
  const timeout = input('settings-timeout', String(settings.timeout_secs), 'number');
  timeout.step = '0.1'; timeout.min = '0.1'; timeout.max = '60';
  const attempts = input('settings-attempts', String(settings.attempts), 'number');
  attempts.step = '1'; attempts.min = '1'; attempts.max = '5';
  const dqs = input('settings-dqs-key', settings.dqs_key, 'password');
  const sts = input('settings-mta-sts-fetch', '', 'checkbox');
  sts.checked = settings.mta_sts_fetch;
  const message = h('div', { id: 'settings-message', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'settings-save', text: 'Save settings' });
  const form = h('form', { id: 'settings-form', novalidate: true },
    h('label', { for: 'settings-nameservers' }, 'Nameservers ', h('span', { class: 'hint', text: 'IP or IP:PORT, one per line; empty = the system resolver' })), ns,
    h('label', { for: 'settings-timeout' }, 'Timeout per query ', h('span', { class: 'hint', text: 'seconds, 0.1–60' })), timeout,
    h('label', { for: 'settings-attempts' }, 'Attempts per query ', h('span', { class: 'hint', text: '1–5' })), attempts,
    h('label', { for: 'settings-dqs-key' }, 'Spamhaus DQS key ', h('span', { class: 'hint', text: 'optional; public Spamhaus mirrors refuse queries from large public resolvers' })), dqs,
    h('label', { class: 'check', for: 'settings-mta-sts-fetch' }, sts, ' Fetch MTA-STS policies over HTTPS during audits ', h('span', { class: 'hint', text: 'the only check that leaves DNS: one HTTPS request to mta-sts.<domain>' })),
    h('div', { class: 'row' }, save), message);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(message);
    backend.saveSettings({
      nameservers: splitList(ns.value),
      timeout_secs: Number(timeout.value),
      attempts: Number(attempts.value),
      dqs_key: dqs.value.trim(),
      mta_sts_fetch: sts.checked,
    }).then((saved) => {
      showError(null);
      ns.value = saved.nameservers.join('\n');
      timeout.value = String(saved.timeout_secs);
      attempts.value = String(saved.attempts);
      sts.checked = saved.mta_sts_fetch;
      replace(message, h('div', { class: 'banner ok', text: 'Settings saved.' }));
    }).catch((e) => showError(/** @type {ApiError} */ (e)));
  });
  root.append(
    h('div', { class: 'panel' }, form),
    h('div', { class: 'panel' },
      h('h2', { text: 'Database' }),
      h('dl', { class: 'facts' },
        h('dt', { text: 'File' }), h('dd', { id: 'settings-db-path', text: info.db_path ?? 'unknown' }),
        h('dt', { text: 'Schema version' }), h('dd', { text: info.schema_version === null ? 'not open' : String(info.schema_version) }),
        h('dt', { text: 'Inboxlens' }), h('dd', { text: info.version }))));
}
