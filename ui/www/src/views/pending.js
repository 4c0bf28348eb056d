// Views whose capability has not landed yet. They say so plainly and show no data.

import { h, replace } from '../dom.js';

/** @typedef {{ id: string, label: string, issue: number, what: string, will: string[] }} Pending */

/** @type {Pending[]} */
export const PENDING = [
  { id: 'habits', label: 'Sending habits', issue: 8, what: 'A score of the account\'s sending habits against the rule set.', will: ['score and breakdown by area', 'Gmail / Yahoo / Microsoft compliance scorecard', 'the rules that fired, with the values that fired them'] },
  { id: 'rules', label: 'Rules', issue: 8, what: 'The editable rule set that sending habits are scored against.', will: ['list, filter, edit and validate rules', 'enable, disable, add, export'] },
];

/**
 * @param {HTMLElement} root
 * @param {Pending} p
 */
export function pendingView(root, p) {
  replace(root,
    h('h1', { text: p.label }),
    h('div', { class: 'panel pending', 'data-pending': 'true' },
      h('p', {}, h('strong', { text: 'Not available yet. ' }), `${p.what} This capability has not landed in this build (issue #${p.issue}), so this view shows no data.`),
      h('p', { text: 'When it lands, this view will show:' }),
      h('ul', {}, ...p.will.map((w) => h('li', { text: w })))));
}
