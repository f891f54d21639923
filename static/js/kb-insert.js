// The reply editor's "Insert article" box (templates/service/knowledge/_insert_box.html):
// typing searches the knowledge base (GET data-kb-url?q=…, JSON {"results": [{id, label,
// detail, text}]}); choosing a result inserts its text at the cursor of the target textarea
// (static/js/text-insert.js: a blank line apart from the text around it).
(function () {
  "use strict";

  function setup(box) {
    if (box.dataset.kbReady) return;
    box.dataset.kbReady = "1";
    var input = box.querySelector("[data-kb-query]");
    var list = box.querySelector("[data-kb-results]");
    var timer = null;
    var latest = 0;
    function search() {
      var q = input.value.trim();
      var ticket = ++latest;
      if (!q) { list.replaceChildren(); return; }
      fetch(box.dataset.kbUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ticket !== latest) return;
          list.replaceChildren();
          data.results.forEach(function (row) {
            var item = document.createElement("li");
            item.className = "list-group-item d-flex justify-content-between gap-2";
            var label = document.createElement("span");
            label.textContent = row.label + " (" + row.detail + ")";
            var button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-sm btn-outline-primary";
            button.textContent = box.dataset.kbInsertLabel || "Insert";
            button.addEventListener("click", function () {
              var target = document.getElementById(box.dataset.kbTarget);
              if (target) window.crmInsertBlock(target, row.text);
            });
            item.append(label, button);
            list.append(item);
          });
        });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
  }

  function setupAll() { document.querySelectorAll("[data-kb-insert]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupAll);
  else setupAll();
  document.addEventListener("htmx:afterSwap", setupAll);
})();
