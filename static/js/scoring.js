// Scoring rule form: show the inputs of the chosen kind (field conditions or touch point).
(function () {
  "use strict";
  function apply(select) {
    document.querySelectorAll("[data-scoring-for]").forEach(function (section) {
      section.hidden = section.getAttribute("data-scoring-for") !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-scoring-kind]");
    if (!select) return;
    apply(select);
    select.addEventListener("change", function () { apply(select); });
  });
})();
