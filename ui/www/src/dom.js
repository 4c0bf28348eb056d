// DOM building without innerHTML: text always goes in as text nodes, so content from
// mail, DNS or the database can never become markup or script.

/**
 * @typedef {{ [key: string]: string | number | boolean | null | undefined | ((ev: Event) => void) }} Attrs
 * Attribute values are set with setAttribute; `on…` keys must be functions and become
 * event listeners (string handlers are refused). `text` sets textContent.
 */

/**
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) {
      if (typeof value !== 'function') throw new Error(`event handler ${key} must be a function`);
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (typeof value === 'function') {
      throw new Error(`attribute ${key} cannot be a function`);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Replaces all children of `el`.
 * @param {Element} el
 * @param {...(Node | string)} children
 */
export function replace(el, ...children) {
  el.replaceChildren(...children);
}

/**
 * Splits a list typed by a person: commas, spaces or new lines.
 * @param {string} text
 * @returns {string[]}
 */
export function splitList(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}
