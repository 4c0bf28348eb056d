// The error banner: every ApiError from the backend ends up here, as text.

/** @typedef {import('./bindings').ApiError} ApiError */

/** @param {ApiError | null} err */
export function showError(err) {
  const banner = /** @type {HTMLElement} */ (document.getElementById('error-banner'));
  if (!err) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  banner.textContent = `${err.message} (${err.code})`;
  banner.dataset.code = err.code;
  banner.hidden = false;
}
