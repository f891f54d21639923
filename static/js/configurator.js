// The quote line configurator: option values that a chosen value rules out are disabled at
// once, in the browser (each value lists the ids it cannot be combined with in
// data-excludes), so choosing options never waits for the server and no refresh replaces a
// select the person is using. The server checks the same rules when the line is added.
(function () {
  "use strict";

  function updateExclusions(root) {
    var selects = root.querySelectorAll("select[data-option]");
    var chosenBy = {};
    selects.forEach(function (select) {
      if (select.value) chosenBy[select.value] = select;
    });
    selects.forEach(function (select) {
      select.querySelectorAll("option[value]").forEach(function (option) {
        var excludes = (option.getAttribute("data-excludes") || "").split(" ");
        var ruledOut = excludes.some(function (id) {
          return id && chosenBy[id] && chosenBy[id] !== select;
        });
        option.disabled = ruledOut && !option.selected;
      });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("#configurator select[data-option]")) return;
    updateExclusions(target.closest("#configurator"));
  });
})();
