// The journey builder (templates/journeys/builder.html): conveniences on top of plain form
// posts. Choosing a trigger or goal shows its settings at once (the "Show its settings"
// button is pressed for you and hidden); after a step is added, moved or deleted the page
// comes back where you were (the scroll position is kept for that one reload). A wait's
// fields and the re-entry days show only for the choice they belong to.
(function () {
  "use strict";
  var form = document.getElementById("journey-form");
  if (!form) return;
  var KEY = "journey-builder-scroll";

  form.querySelectorAll("button.js-auto[data-auto-for]").forEach(function (button) {
    var select = form.querySelector("[name='" + button.dataset.autoFor + "']");
    if (!select) return;
    button.classList.add("d-none");
    select.addEventListener("change", function () {
      button.click();
    });
  });

  // a branch's rule editor posts plainly: a rule whose field or operator changed comes back
  // with the inputs for its value ("Update the rules" pressed for you)
  form.querySelectorAll("[data-testid=branch-condition]").forEach(function (editor) {
    var redraw = editor.querySelector("button.js-redraw");
    if (!redraw) return;
    redraw.classList.add("d-none");
    editor.addEventListener("change", function (event) {
      var name = event.target.name || "";
      if (/-(field|operator)$/.test(name)) redraw.click();
    });
  });

  // fields that only matter for one choice are hidden for the others (the server still
  // accepts them all): a wait's day and time only "until a day and time", its duration only
  // "for a time"; the re-entry days only "again after … days"
  function wrapperOf(field) {
    return field.closest("[id^='div_id_'], .col-12") || field.parentElement;
  }
  function showOnly(select, groups) {
    function apply() {
      Object.keys(groups).forEach(function (value) {
        groups[value].forEach(function (name) {
          var field = form.querySelector("[name='" + name + "']");
          if (field) wrapperOf(field).classList.toggle("d-none", select.value !== value);
        });
      });
    }
    select.addEventListener("change", apply);
    apply();
  }
  form.querySelectorAll("select[name$='-mode']").forEach(function (select) {
    var prefix = select.name.slice(0, -"mode".length);
    if (!select.querySelector("option[value='delay']") || !form.querySelector("[name='" + prefix + "time']")) return;
    showOnly(select, {
      delay: [prefix + "amount", prefix + "unit"],
      until: [prefix + "weekday", prefix + "time"],
    });
  });
  var reentry = form.querySelector("select[name='reentry']");
  if (reentry) showOnly(reentry, { after_days: ["reentry_days"] });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var action = submitter && submitter.name === "action" ? submitter.value : "";
    if (action && action !== "save" && action !== "publish") {
      try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) { /* private mode */ }
    }
  });

  var saved = null;
  try { saved = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  var focus = form.dataset.focus;
  if (focus && document.getElementById("step-" + focus)) {
    document.getElementById("step-" + focus).scrollIntoView({ block: "center" });
  } else if (saved !== null) {
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
})();
