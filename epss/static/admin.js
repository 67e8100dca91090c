// The administration pages (/beheer): copy buttons for the embed material and the reset
// link. A button copies the text of the field named by its data-copy and says so in the
// status next to it. Without JavaScript the buttons stay hidden and the read-only fields
// can be selected and copied by hand. No inline scripts (strict Content-Security-Policy).
(function () {
  'use strict';

  function say(button, text) {
    const status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!status) return;
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function byHand(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch (e) {
      return false;
    }
  }

  function copy(button) {
    const field = document.getElementById(button.getAttribute('data-copy'));
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

  function reveal(root) {
    (root || document).querySelectorAll('button[data-copy][hidden]').forEach(function (b) {
      b.hidden = false;
    });
  }

  document.addEventListener('click', function (event) {
    const button = event.target.closest && event.target.closest('button[data-copy]');
    if (button) copy(button);
  });
  document.addEventListener('htmx:afterSettle', function () { reveal(document); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { reveal(document); });
  } else {
    reveal(document);
  }
})();
