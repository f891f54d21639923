// Kanban board of a pipeline: drag a deal card to another stage column. The move is posted
// to the deal's move URL with its version (optimistic concurrency); the CSRF token comes
// from the body's hx-headers. Lost stages need a reason: the browser goes to the form.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function showMessage(text) {
    var box = document.getElementById("board-message");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }

  function columnOf(list) {
    return list.closest(".kanban-col");
  }

  // A column's total may hold several currencies, or be converted at the workspace's
  // exchange rates with the rates named, so the browser never adds amounts up itself: after a
  // move it reads the columns' totals from the board page again (formatted by the server).
  function refreshTotals(board) {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        board.querySelectorAll(".kanban-col").forEach(function (col) {
          var total = col.querySelector("[data-total]");
          var source = fresh.querySelector(
            '.kanban-col[data-stage="' + col.dataset.stage + '"] [data-total]'
          );
          if (total && source) total.innerHTML = source.innerHTML;
        });
      })
      .catch(function () {});
  }

  // The badge holds the column's full count, which may exceed the cards shown (the board
  // shows the largest deals of a long column), so it moves by one instead of counting cards.
  function addToCount(col, delta) {
    var count = col.querySelector("[data-count]");
    if (!count) return;
    var value = (parseInt(count.dataset.count, 10) || 0) + delta;
    count.dataset.count = String(value);
    count.textContent = new Intl.NumberFormat(document.documentElement.lang || undefined).format(
      value
    );
  }

  function move(card, fromList, toList, oldIndex) {
    var board = card.closest(".kanban");
    var body = new URLSearchParams();
    body.set("stage", toList.dataset.stage);
    body.set("version", card.dataset.version);
    fetch(card.dataset.move, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        if (result.data.ok) {
          card.dataset.version = String(result.data.version);
          showMessage("");
          addToCount(columnOf(fromList), -1);
          addToCount(columnOf(toList), 1);
          refreshTotals(board);
          return;
        }
        if (result.data.need_reason && result.data.url) {
          window.location.href = result.data.url;
          return;
        }
        // put the card back where it was and say why
        fromList.insertBefore(card, fromList.children[oldIndex] || null);
        showMessage(result.data.error || "");
      })
      .catch(function () {
        fromList.insertBefore(card, fromList.children[oldIndex] || null);
        showMessage(board.dataset.errorText || "The move could not be saved.");
      });
  }

  function init() {
    var board = document.querySelector(".kanban[data-can-edit='1']");
    if (!board || typeof Sortable === "undefined") return;
    board.querySelectorAll(".kanban-list").forEach(function (list) {
      Sortable.create(list, {
        group: "deals",
        animation: 120,
        delay: 200, // on phones a short press starts the drag, a swipe scrolls the board
        delayOnTouchOnly: true,
        draggable: ".kanban-card",
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          move(evt.item, evt.from, evt.to, evt.oldIndex);
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
