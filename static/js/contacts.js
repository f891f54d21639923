// Contact pages: account suggestion, bulk action inputs, call-only fields on the log form.
(function () {
  "use strict";

  // "Use this account" under the email field selects the suggested account.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-account]");
    if (!button) { return; }
    var select = document.querySelector("select[data-account-select]");
    if (!select) { return; }
    var id = button.getAttribute("data-use-account");
    if (!select.querySelector('option[value="' + id + '"]')) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = button.getAttribute("data-account-name");
      select.appendChild(option);
    }
    select.value = id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    button.closest("[data-testid=account-suggestion]").classList.replace("alert-info", "alert-success");
  });

  // Bulk bar: show the owner select or the tag input for the chosen action.
  function syncBulk(bar) {
    var action = bar.querySelector("[data-bulk-action]").value;
    bar.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-bulk-for") !== action;
    });
  }

  // Log form: duration and outcome only matter for calls.
  function syncLog(form) {
    var type = form.querySelector("[name=log_type]");
    if (!type) { return; }
    var isCall = type.value === "call";
    ["duration_minutes", "outcome"].forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      var wrapper = input && input.closest(".mb-3");
      if (wrapper) { wrapper.hidden = !isCall; }
    });
  }

  function init(root) {
    root.querySelectorAll("[data-bulk-bar]").forEach(syncBulk);
    root.querySelectorAll("[data-log-form]").forEach(syncLog);
  }

  document.addEventListener("change", function (event) {
    var bar = event.target.closest("[data-bulk-bar]");
    if (bar) { syncBulk(bar); }
    var form = event.target.closest("[data-log-form]");
    if (form) { syncLog(form); }
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
