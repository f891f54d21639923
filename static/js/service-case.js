// The case page's reply box: a chosen canned response (already personalised by the server)
// and an "Insert" of the product lookup add their text at the cursor of the reply.
(function () {
  "use strict";
  function insert(textarea, text) {
    if (!textarea || !text) return;
    var start = textarea.selectionStart || textarea.value.length;
    var end = textarea.selectionEnd || textarea.value.length;
    var before = textarea.value.slice(0, start);
    var gap = before && !/\s$/.test(before) ? "\n" : "";
    textarea.value = before + gap + text + textarea.value.slice(end);
    textarea.focus();
  }
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-canned-target]");
    if (!select) return;
    var option = select.options[select.selectedIndex];
    insert(document.getElementById(select.dataset.cannedTarget), option && option.dataset.text);
    select.selectedIndex = 0;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-text]");
    if (!button) return;
    insert(document.getElementById("id_body"), button.dataset.insertText);
  });
})();
