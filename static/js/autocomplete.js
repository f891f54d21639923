// Autocomplete pickers (workspaces.widgets.AutocompleteSelect): a text box with the ARIA
// combobox pattern over a JSON endpoint of the workspace, and a hidden input that the form
// posts (the chosen id). Keyboard: type to search, Down/Up to move, Enter or Tab to choose,
// Escape to close. Leaving the box with text that matches nothing puts the last choice back;
// leaving it empty clears the choice. Works for pickers added later by htmx (delegated events).
(function () {
  "use strict";

  var DELAY = 150; // ms after the last key before asking the server

  function parts(el) {
    var box = el.closest("[data-autocomplete]");
    if (!box) return null;
    return {
      box: box,
      input: box.querySelector("[data-autocomplete-input]"),
      value: box.querySelector("[data-autocomplete-value]"),
      list: box.querySelector("[role=listbox]"),
      status: box.querySelector("[data-autocomplete-status]"),
    };
  }

  function texts(p) {
    try {
      return JSON.parse(p.box.getAttribute("data-texts") || "{}");
    } catch (e) {
      return {};
    }
  }

  function say(p, text) {
    if (p.status) p.status.textContent = text;
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function close(p) {
    p.list.classList.remove("show");
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
    p.box._active = -1;
  }

  function setActive(p, index) {
    var opts = options(p);
    if (!opts.length) return;
    if (index < 0) index = opts.length - 1;
    if (index >= opts.length) index = 0;
    opts.forEach(function (opt, i) {
      var on = i === index;
      opt.classList.toggle("active", on);
      opt.setAttribute("aria-selected", on ? "true" : "false");
    });
    p.box._active = index;
    p.input.setAttribute("aria-activedescendant", opts[index].id);
    opts[index].scrollIntoView({ block: "nearest" });
  }

  function show(p, results, more) {
    var t = texts(p);
    var listId = p.list.id;
    p.list.textContent = "";
    p.box._results = results;
    results.forEach(function (row, i) {
      var li = document.createElement("li");
      li.id = listId + "-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "dropdown-item text-wrap";
      li.dataset.index = String(i);
      var label = document.createElement("span");
      label.textContent = row.label;
      li.appendChild(label);
      if (row.detail) {
        var detail = document.createElement("span");
        detail.className = "small text-body-secondary ms-2";
        detail.textContent = row.detail;
        li.appendChild(detail);
      }
      p.list.appendChild(li);
    });
    if (!results.length || more) {
      var note = document.createElement("li");
      note.setAttribute("role", "none");
      note.className = "dropdown-item-text small text-body-secondary";
      note.textContent = results.length ? t.more || "" : t.none || "";
      p.list.appendChild(note);
    }
    p.list.classList.add("show");
    p.input.setAttribute("aria-expanded", "true");
    p.box._active = -1;
    say(
      p,
      results.length
        ? (results.length === 1 ? t.one || "" : (t.count || "%(n)s").replace("%(n)s", String(results.length))) +
            (more ? " " + (t.more || "") : "")
        : t.none || ""
    );
  }

  function suggestions(p) {
    try {
      return JSON.parse(p.box.getAttribute("data-suggestions") || "[]");
    } catch (e) {
      return [];
    }
  }

  function search(p) {
    var query = p.input.value.trim();
    if (!query) {
      var offered = suggestions(p);
      if (offered.length) show(p, offered, false);
      else close(p);
      return;
    }
    var params = new URLSearchParams();
    try {
      var extra = JSON.parse(p.box.getAttribute("data-params") || "{}");
      Object.keys(extra).forEach(function (key) {
        params.set(key, extra[key]);
      });
    } catch (e) {
      /* no extra parameters */
    }
    params.set("q", query);
    var seq = (p.box._seq || 0) + 1;
    p.box._seq = seq;
    p.box.setAttribute("aria-busy", "true");
    fetch(p.box.getAttribute("data-url") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (seq !== p.box._seq || document.activeElement !== p.input) return;
        show(p, data.results || [], !!data.more);
      })
      .catch(function () {
        if (seq === p.box._seq) say(p, texts(p).error || "");
      })
      .then(function () {
        if (seq === p.box._seq) p.box.removeAttribute("aria-busy");
      });
  }

  function choose(p, index) {
    var row = (p.box._results || [])[index];
    if (!row) return;
    p.value.value = String(row.id);
    p.input.value = row.label;
    p.input.setAttribute("data-label", row.label);
    p.input.setAttribute("data-chosen", String(row.id));
    close(p);
    say(p, (texts(p).chosen || "%(label)s").replace("%(label)s", row.label));
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-autocomplete-input]")) return;
    var p = parts(event.target);
    if (p.input.value !== p.input.getAttribute("data-label")) p.value.value = "";
    clearTimeout(p.box._timer);
    p.box._timer = setTimeout(function () {
      search(p);
    }, DELAY);
  });

  document.addEventListener("focusin", function (event) {
    if (!event.target.matches("[data-autocomplete-input]")) return;
    var p = parts(event.target);
    if (!p.input.value.trim() && suggestions(p).length) show(p, suggestions(p), false);
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.matches("[data-autocomplete-input]")) return;
    var p = parts(event.target);
    var open = p.list.classList.contains("show");
    var active = typeof p.box._active === "number" ? p.box._active : -1;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) search(p);
        else setActive(p, active + 1);
        break;
      case "ArrowUp":
        if (open) {
          event.preventDefault();
          setActive(p, active - 1);
        }
        break;
      case "Enter":
        if (open && options(p).length) {
          event.preventDefault(); // choosing, not submitting the form
          choose(p, active >= 0 ? active : 0);
        }
        break;
      case "Tab":
        if (open && active >= 0) choose(p, active);
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          close(p);
        }
        break;
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-autocomplete] [role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus in the box
    choose(parts(option), parseInt(option.dataset.index, 10));
  });

  document.addEventListener("focusout", function (event) {
    if (!event.target.matches("[data-autocomplete-input]")) return;
    var p = parts(event.target);
    if (event.relatedTarget && p.box.contains(event.relatedTarget)) return;
    clearTimeout(p.box._timer);
    p.box._seq = (p.box._seq || 0) + 1; // an answer still on its way is not shown
    close(p);
    if (!p.input.value.trim()) {
      p.value.value = "";
      p.input.setAttribute("data-label", "");
      p.input.setAttribute("data-chosen", "");
      p.input.value = "";
    } else if (p.input.value !== p.input.getAttribute("data-label")) {
      // text that was not chosen from the list: the last choice stays
      p.input.value = p.input.getAttribute("data-label") || "";
      p.value.value = p.input.getAttribute("data-chosen") || "";
    }
  });
})();
