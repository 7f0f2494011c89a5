// naql editor keyboard shortcuts. An element carrying data-shortcut="a" (or "j n") answers that
// key: a form is submitted, a link followed, a field focused. Keys typed into a field, with a
// modifier, or while an input method composes, are left alone. On an Arabic (or any non-Latin)
// layout the physical key counts: the key where "j" is on a Latin keyboard means "j".
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
  }

  function keyOf(event) {
    if (event.key && event.key.length === 1 && /[a-z]/i.test(event.key)) {
      return event.key.toLowerCase();
    }
    if (event.code && /^Key[A-Z]$/.test(event.code)) {
      return event.code.slice(3).toLowerCase();
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) return;
    var key = keyOf(event);
    if (!key) return;
    var element = document.querySelector('[data-shortcut~="' + key + '"]');
    if (!element) return;
    event.preventDefault();
    if (element.tagName === "FORM") {
      if (element.requestSubmit) element.requestSubmit();
      else element.submit();
    } else if (element.tagName === "A") {
      window.location.assign(element.href);
    } else {
      element.focus();
    }
  });
})();
