// @ts-check
// The administration pages (/beheer): copy buttons for the embed material and the reset
// link. A button copies the text of the field named by its data-copy and says so in the
// status next to it. Without JavaScript the buttons stay hidden and the read-only fields
// can be selected and copied by hand. No inline scripts (strict Content-Security-Policy).
(function () {
  'use strict';

  /** @param {Element} button
   * @param {string | null} text */
  function say(button, text) {
    const status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!status) return;
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  /** @param {HTMLInputElement | HTMLTextAreaElement} field */
  function byHand(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }

  /** @param {HTMLButtonElement} button */
  function copy(button) {
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement | null} */ (
      document.getElementById(/** @type {string} */ (button.getAttribute('data-copy'))));
    if (!field) return;
    const done = function () { say(button, button.getAttribute('data-copied')); };
    const failed = function () {
      if (byHand(field)) done();
      else say(button, button.getAttribute('data-copy-failed'));
      button.focus();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  /** @param {ParentNode} root */
  function reveal(root) {
    /** @type {NodeListOf<HTMLButtonElement>} */
    const hidden = (root || document).querySelectorAll('button[data-copy][hidden]');
    hidden.forEach(function (b) {
      b.hidden = false;
    });
  }

  document.addEventListener('click', function (event) {
    const target = /** @type {Element} */ (event.target);
    /** @type {HTMLButtonElement | null} */
    const button = target.closest && target.closest('button[data-copy]');
    if (button) copy(button);
  });
  document.addEventListener('htmx:afterSettle', function () { reveal(document); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { reveal(document); });
  } else {
    reveal(document);
  }
})();
