// The wallboard page (templates/callcentre/kpis/wallboard.html): a button that puts the page in
// full screen (Fullscreen API) and switches to the kiosk layout (large numbers, no menu) while
// it lasts; Escape leaves both. The board itself refreshes through htmx (hx-trigger="every Ns").
(function () {
  "use strict";

  function init() {
    var button = document.getElementById("wallboard-fullscreen");
    if (!button) return;
    var body = document.body;
    var kioskFromUrl = body.classList.contains("wallboard-kiosk");
    var label = button.textContent;

    if (!document.fullscreenEnabled) {
      button.hidden = true;
    }

    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
        return;
      }
      body.classList.add("wallboard-kiosk");
      document.documentElement.requestFullscreen().catch(function () {
        // refused (e.g. an iframe without allowfullscreen): keep the kiosk layout only
      });
    });

    document.addEventListener("fullscreenchange", function () {
      var full = !!document.fullscreenElement;
      body.classList.toggle("wallboard-kiosk", full || kioskFromUrl);
      button.textContent = full ? button.dataset.labelExit : label;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
