// Inserting a block of text into a reply (a canned response, a knowledge base article, a
// product's availability): at the cursor (at the end when the box was never focused), with a
// blank line between it and any text before or after it — never glued onto a word.
(function () {
  "use strict";
  if (window.crmInsertBlock) return;

  function joined(before, text, after) {
    before = before.replace(/[ \t]+$/, "");
    after = after.replace(/^[ \t]+/, "");
    var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var trail = !after || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    return { value: before + lead + text + trail + after, caret: (before + lead + text).length };
  }

  window.crmInsertBlock = function (textarea, text) {
    if (!textarea || !text) return;
    var start = textarea.selectionStart || textarea.value.length;
    var end = Math.max(textarea.selectionEnd || 0, start);
    var result = joined(textarea.value.slice(0, start), text, textarea.value.slice(end));
    textarea.value = result.value;
    textarea.focus();
    textarea.selectionStart = textarea.selectionEnd = result.caret;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };
})();
