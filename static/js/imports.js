// Import mapping page: flag a field chosen for two columns right away (the server checks it too).
(function () {
  "use strict";
  function check(form) {
    var selects = form.querySelectorAll("select[data-column-select]");
    var seen = {};
    selects.forEach(function (s) { if (s.value) { seen[s.value] = (seen[s.value] || 0) + 1; } });
    selects.forEach(function (s) {
      s.classList.toggle("is-invalid", Boolean(s.value) && seen[s.value] > 1);
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-mapping-form]");
    if (form && event.target.matches("select[data-column-select]")) { check(form); }
  });
})();

// Export links on list pages: carry the filters currently in the address bar (htmx pushes them).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export-href]");
    if (!link) { return; }
    var params = new URLSearchParams(window.location.search);
    params.delete("cursor");
    params.delete("format");
    if (link.getAttribute("data-format")) { params.set("format", link.getAttribute("data-format")); }
    var query = params.toString();
    link.href = link.getAttribute("data-export-href") + (query ? "?" + query : "");
  });
})();
