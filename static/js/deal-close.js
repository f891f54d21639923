// The deal page's Lost button opens the lost-reason dialog as a modal. Without this script
// the button is a link to ?close=lost, where the page shows the same form open.
(function () {
  "use strict";

  function openModal(dialog) {
    if (dialog.open) dialog.close();
    dialog.showModal();
    var first = dialog.querySelector("select[name=lost_reason]");
    if (first) first.focus();
  }

  function init() {
    document.querySelectorAll("[data-lost-open]").forEach(function (button) {
      var dialog = document.getElementById(button.dataset.lostOpen);
      if (!dialog || typeof dialog.showModal !== "function") return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        openModal(dialog);
      });
      // opened by the page itself (?close=lost): the same dialog, as a modal
      if (dialog.open) openModal(dialog);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
