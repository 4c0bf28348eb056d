// The one module that talks to the Rust side over Tauri IPC. Every other module calls
// the typed functions exported here. Types come from the generated ./bindings.ts.

/** @typedef {import('./bindings').Commands} Commands */
/** @typedef {import('./bindings').ApiError} ApiError */

/**
 * Calls a command; rejects with an ApiError `{code, message}` whatever went wrong.
 * @template {keyof Commands} K
 * @param {K} cmd
 * @param {Commands[K]['args']} args
 * @returns {Promise<Commands[K]['result']>}
 */
async function call(cmd, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    throw /** @type {ApiError} */ ({ code: 'no-backend', message: 'The Inboxlens backend is not available (this page must run inside the app).' });
  }
  try {
    return /** @type {Commands[K]['result']} */ (await tauri.core.invoke(cmd, args));
  } catch (e) {
    throw toApiError(e);
  }
}

/**
 * @param {unknown} e
 * @returns {ApiError}
 */
export function toApiError(e) {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return { code: String(e.code), message: String(e.message) };
  }
  return { code: 'ipc', message: String(e) };
}

export const backend = {
  appInfo: () => call('app_info', {}),
  listAccounts: () => call('list_accounts', {}),
  /** @param {import('./bindings').AccountInputDto} input */
  createAccount: (input) => call('create_account', { input }),
  /** @param {number} id @param {import('./bindings').AccountInputDto} input */
  updateAccount: (id, input) => call('update_account', { id, input }),
  /** @param {number} id */
  deleteAccount: (id) => call('delete_account', { id }),
  getSettings: () => call('get_settings', {}),
  /** @param {import('./bindings').SettingsDto} settings */
  saveSettings: (settings) => call('save_settings', { settings }),
  /** @param {string[]} targets @param {number | null} accountId */
  checkBlocklists: (targets, accountId) => call('check_blocklists', { targets, accountId }),
  getBlocklists: () => call('get_blocklists', {}),
  /** @param {string} toml */
  saveBlocklists: (toml) => call('save_blocklists', { toml }),
  /** @param {string} zone @param {boolean} enabled */
  setBlocklistEnabled: (zone, enabled) => call('set_blocklist_enabled', { zone, enabled }),
  /** @param {string[]} domains @param {number | null} accountId @param {string[]} selectors @param {string[]} ips */
  runAudit: (domains, accountId, selectors, ips) => call('run_audit', { domains, accountId, selectors, ips }),
  /** @param {string} domain @param {number} limit */
  auditHistory: (domain, limit) => call('audit_history', { domain, limit }),
  /** @param {string} raw @param {string} ip @param {string} helo @param {string} mailFrom */
  verifyMessage: (raw, ip, helo, mailFrom) => call('verify_message', { raw, ip, helo, mailFrom }),
  /** @param {number} accountId @param {string[]} paths */
  startFeedImport: (accountId, paths) => call('start_feed_import', { accountId, paths }),
  /** @param {number} job */
  feedImportStatus: (job) => call('feed_import_status', { job }),
  /** @param {number} accountId @param {import('./bindings').FeedFilterDto} filter */
  feedRecords: (accountId, filter) => call('feed_records', { accountId, filter }),
  /** @param {number} accountId */
  feedSummary: (accountId) => call('feed_summary', { accountId }),
  /** @param {number} accountId @param {number} message */
  feedMessage: (accountId, message) => call('feed_message', { accountId, message }),
  /** @param {number} accountId @param {import('./bindings').ReportFilterDto} filter */
  reportOverview: (accountId, filter) => call('report_overview', { accountId, filter }),
  /** @param {number} accountId @param {string} since @param {string} until */
  scoreAccount: (accountId, since, until) => call('score_account', { accountId, since, until }),
  listRules: () => call('list_rules', {}),
  /** @param {string} toml */
  checkRule: (toml) => call('check_rule', { toml }),
  /** @param {string} toml */
  saveRule: (toml) => call('save_rule', { toml }),
  /** @param {string} id @param {boolean} enabled */
  setRuleEnabled: (id, enabled) => call('set_rule_enabled', { id, enabled }),
  /** @param {string} id */
  deleteRule: (id) => call('delete_rule', { id }),
  /** @param {string} id */
  resetRule: (id) => call('reset_rule', { id }),
  exportRules: () => call('export_rules', {}),
  listMetrics: () => call('list_metrics', {}),
  /** @param {number} accountId */
  accountOverview: (accountId) => call('account_overview', { accountId }),
  /** @param {number} accountId */
  accountTimeline: (accountId) => call('account_timeline', { accountId }),
  /** @param {string} query */
  search: (query) => call('search', { query }),
  /** @param {string} domain @param {number} from @param {number} to */
  auditDiff: (domain, from, to) => call('audit_diff', { domain, from, to }),
  /** @param {number} accountId @param {string} path @param {string} format @param {boolean} includePersonalData */
  exportReport: (accountId, path, format, includePersonalData) => call('export_report', { accountId, path, format, includePersonalData }),
};
