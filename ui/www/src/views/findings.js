// Building blocks shared by the views that show findings and facts: one finding as an
// expandable item (evidence, fix, references), and a table of text cells.

import { h } from '../dom.js';

/** @typedef {import('../bindings').Finding} Finding */

/** @param {Finding} f */
export function renderFinding(f) {
  return h('details', { class: `finding ${f.severity}`, 'data-id': f.id },
    h('summary', {}, h('span', { class: `badge ${f.severity}`, text: f.severity }), ' ', h('span', { class: 'finding-title', text: f.title }), h('code', { class: 'finding-id', text: f.id })),
    f.detail ? h('p', { class: 'finding-detail', text: f.detail }) : null,
    f.evidence.length > 0 ? h('pre', { class: 'evidence', text: f.evidence.join('\n') }) : null,
    f.fix ? h('p', { class: 'fix' }, h('strong', { text: 'Fix: ' }), h('span', { class: 'fix-text', text: f.fix })) : null,
    f.references.length > 0 ? h('p', { class: 'hint', text: `References: ${f.references.join(' · ')}` }) : null);
}

/**
 * @param {string[]} head
 * @param {string[][]} rows
 * @param {string} [id]
 */
export function table(head, rows, id) {
  return h('div', { class: 'scroll' }, h('table', { class: 'facts-table', id: id ?? null },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { text: c })))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((c) => h('td', { class: 'wrap', text: c })))))));
}
