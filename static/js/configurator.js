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

  // The refresh of price and availability (hx-trigger="cfg-change, cfg-input delay:400ms"
  // on #configurator): any change but the product's (that one loads the product's options),
  // and typing in a number field. Sent from here because htmx trigger filters need eval.
  function notify(event, name) {
    var target = event.target;
    var root = target.closest && target.closest("#configurator");
    if (root) root.dispatchEvent(new CustomEvent(name, { bubbles: false }));
  }
  document.addEventListener("change", function (event) {
    if (event.target.name !== "product") notify(event, "cfg-change");
  });
  document.addEventListener("input", function (event) {
    if (event.target.type === "number") notify(event, "cfg-input");
  });
})();
