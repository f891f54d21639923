// The case page's reply box: a chosen canned response (already personalised by the server)
// and an "Insert" of the product lookup add their text at the cursor of the reply, a blank
// line apart from the text around it.
(function () {
  "use strict";
  function insert(textarea, text) {
    window.crmInsertBlock(textarea, text); // static/js/text-insert.js
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
    insert(document.getElementById("reply_body"), button.dataset.insertText);
  });
})();
