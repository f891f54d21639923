// Small behaviours shared by every page. No inline scripts: pages opt in with data attributes.
(function () {
  "use strict";
  // Confirm destructive actions: <button data-confirm="Delete 3 contacts?">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // "Select all" checkbox for bulk actions: <input type="checkbox" data-select-all="name">
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-select-all]")) {
      var name = el.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });
})();
