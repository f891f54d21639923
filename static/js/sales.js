// Kanban board of a pipeline: drag a deal card to another stage column. The move is posted
// to the deal's move URL with its version (optimistic concurrency); the CSRF token comes
// from the body's hx-headers. A drop on a lost stage first asks for the reason in a dialog
// on the board (cancel puts the card back); closed stages are collapsed to narrow drop
// targets that "Show" expands.
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

  function putBack(card, fromList, oldIndex) {
    fromList.insertBefore(card, fromList.children[oldIndex] || null);
  }

  // The server took the move: the card keeps its new version, the columns their figures.
  function moved(card, fromList, toList, data) {
    var board = card.closest(".kanban");
    card.dataset.version = String(data.version);
    showMessage("");
    addToCount(columnOf(fromList), -1);
    addToCount(columnOf(toList), 1);
    refreshTotals(board);
  }

  // POST the move; resolves to {status, data} (data.ok says whether it was stored).
  function postMove(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    }).then(function (response) {
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function move(card, fromList, toList, oldIndex) {
    var board = card.closest(".kanban");
    var body = new URLSearchParams();
    body.set("stage", toList.dataset.stage);
    body.set("version", card.dataset.version);
    postMove(card.dataset.move, body)
      .then(function (result) {
        if (result.data.ok) {
          moved(card, fromList, toList, result.data);
          return;
        }
        if (result.data.need_reason && result.data.url) {
          window.location.href = result.data.url;
          return;
        }
        // put the card back where it was and say why
        putBack(card, fromList, oldIndex);
        showMessage(result.data.error || "");
      })
      .catch(function () {
        putBack(card, fromList, oldIndex);
        showMessage(board.dataset.errorText || "The move could not be saved.");
      });
  }

  // A drop on a lost stage: the dialog asks for the reason; only its submit posts the move.
  var pending = null;

  function askLostReason(dialog, card, fromList, toList, oldIndex) {
    var form = dialog.querySelector("form");
    form.reset();
    form.elements.stage.value = toList.dataset.stage;
    form.elements.version.value = card.dataset.version;
    dialog.querySelector("[data-lost-deal]").textContent = card.dataset.name || "";
    lostError(dialog, "");
    pending = { card: card, fromList: fromList, toList: toList, oldIndex: oldIndex };
    dialog.showModal();
    form.elements.lost_reason.focus();
  }

  function lostError(dialog, text) {
    var box = dialog.querySelector("[data-lost-error]");
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }

  function initLostDialog(dialog) {
    var form = dialog.querySelector("form");
    // Cancel, Escape or any close without a stored move puts the card back.
    dialog.addEventListener("close", function () {
      if (pending) {
        putBack(pending.card, pending.fromList, pending.oldIndex);
        pending = null;
      }
    });
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-lost-cancel")) return;
      event.preventDefault();
      if (!pending || !form.reportValidity()) return;
      var job = pending;
      var submit = form.querySelector("[data-lost-submit]");
      submit.disabled = true;
      postMove(job.card.dataset.move, new URLSearchParams(new FormData(form)))
        .then(function (result) {
          if (result.data.ok) {
            moved(job.card, job.fromList, job.toList, result.data);
            pending = null;
            dialog.close();
            return;
          }
          if (result.status === 409) {
            dialog.close(); // puts the card back
            showMessage(result.data.error || "");
            return;
          }
          lostError(dialog, result.data.error || "");
        })
        .catch(function () {
          lostError(dialog, job.card.closest(".kanban").dataset.errorText || "");
        })
        .then(function () {
          submit.disabled = false;
        });
    });
  }

  function initCollapse(board) {
    board.querySelectorAll(".kanban-toggle").forEach(function (button) {
      button.addEventListener("click", function () {
        var col = button.closest(".kanban-col");
        var collapsed = col.classList.toggle("is-collapsed");
        button.setAttribute("aria-expanded", collapsed ? "false" : "true");
      });
    });
  }

  function init() {
    var any = document.querySelector(".kanban");
    if (any) initCollapse(any);
    var board = document.querySelector(".kanban[data-can-edit='1']");
    if (!board || typeof Sortable === "undefined") return;
    var dialog = document.getElementById("lost-dialog");
    if (dialog) initLostDialog(dialog);
    board.querySelectorAll(".kanban-list").forEach(function (list) {
      Sortable.create(list, {
        group: "deals",
        animation: 120,
        delay: 200, // on phones a short press starts the drag, a swipe scrolls the board
        delayOnTouchOnly: true,
        draggable: ".kanban-card",
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          if (evt.to.dataset.kind === "lost" && dialog && dialog.showModal) {
            askLostReason(dialog, evt.item, evt.from, evt.to, evt.oldIndex);
            return;
          }
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
