// Analyst review in the browser: the queue's decisions and keyboard shortcuts, an event's history
// with undo, and adding an event the extractor missed from a selection in the article text. Every
// decision goes to the JSON API (/api/events/..., /api/reviews/..., /api/articles/.../events) with the
// reviewer's own token, which stays in this tab's sessionStorage and never in an address. Text from
// the ledger is written with textContent only.
(function () {
  "use strict";
  var TOKEN_KEY = "materiel-review-token";
  var tokenInput = document.getElementById("review-token");
  if (tokenInput) {
    tokenInput.value = window.sessionStorage.getItem(TOKEN_KEY) || "";
    tokenInput.addEventListener("input", function () { window.sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim()); });
  }

  // One request at a time, in the order the reviewer made them.
  var chain = Promise.resolve(), pending = 0;
  function api(method, url, body) {
    var headers = { "Accept": "application/json" };
    var token = window.sessionStorage.getItem(TOKEN_KEY) || "";
    if (method !== "GET") {
      if (!tokenInput) { return Promise.reject(new Error("this server is read-only: reviewing needs a writable one")); }
      if (!token) { return Promise.reject(new Error("enter your write token at the top of the page first")); }
      headers.Authorization = "Bearer " + token;
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var message = (data && data.error && data.error.message) || ("the server answered " + response.status);
            throw new Error(message);
          }
          return data;
        });
      });
  }
  function queued(work) {
    pending += 1;
    document.body.setAttribute("data-pending", String(pending));
    var done = function () { pending -= 1; document.body.setAttribute("data-pending", String(pending)); };
    chain = chain.then(work).then(done, done);
    return chain;
  }

  function countsText(c) {
    return c.reviewed + " of " + c.in_ledger + " events reviewed; " + c.rejected + " rejected";
  }
  function refreshCounts() {
    var line = document.getElementById("review-counts");
    if (!line) { return Promise.resolve(); }
    return api("GET", "/api/reviews/summary").then(function (c) { line.textContent = countsText(c); }, function () {});
  }
  function describe(review) {
    var what = review.action + (review.action === "reject" && review.reason ? " (" + review.reason + ")" : "");
    var changes = review.action === "add" ? [] : Object.keys(review.changes || {}).map(function (k) {
      var pair = review.changes[k];
      return k + ": " + brief(pair[0]) + " → " + brief(pair[1]);
    });
    return what + " by " + review.reviewer + (changes.length ? " — " + changes.join(", ") : "");
  }
  function brief(value) {
    if (value === null || value === undefined) { return "none"; }
    if (typeof value !== "object") { return String(value); }
    if (Array.isArray(value)) { return value.map(brief).join("; "); }
    return value.text || value.canonical || value.name || value.category || JSON.stringify(value);
  }

  // --- the queue ---------------------------------------------------------------------------------
  var queue = document.getElementById("queue");
  var rows = queue ? Array.prototype.slice.call(queue.querySelectorAll(".qrow")) : [];
  var reasons = queue ? queue.getAttribute("data-reasons").split(" ") : [];
  var selected = -1, mine = [];  // mine: rows this reviewer decided, latest last
  var totalEl = document.getElementById("queue-total");

  function total(delta) {
    if (!totalEl) { return; }
    var n = parseInt(totalEl.getAttribute("data-total"), 10) + delta;
    totalEl.setAttribute("data-total", String(n));
    totalEl.textContent = n + " waiting";
  }
  function select(i) {
    if (!rows.length) { return; }
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (rows[selected]) { rows[selected].classList.remove("selected"); }
    selected = i;
    rows[i].classList.add("selected");
    rows[i].focus({ preventScroll: true });
    rows[i].scrollIntoView({ block: "nearest" });
  }
  function nextUndecided(from) {
    for (var i = from + 1; i < rows.length; i++) { if (!rows[i].classList.contains("decided")) { return i; } }
    return from;
  }
  function showError(row, message) {
    var box = row.querySelector(".error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function closeForms(row) {
    row.querySelectorAll(".reject-form, .correct-form").forEach(function (f) { f.remove(); });
    row.classList.remove("rejecting", "correcting");
  }
  function decide(row, action, body) {
    closeForms(row);
    showError(row, "");
    row.classList.add("pending");
    queued(function () {
      return api("POST", "/api/events/" + encodeURIComponent(row.getAttribute("data-event")) + "/" + action, body || {})
        .then(function (answer) {
          row.classList.add("decided", "decided-" + action);
          row.setAttribute("data-review", String(answer.review.id));
          row.querySelector(".decision").textContent = describe(answer.review);
          row.querySelector("[data-act=undo]").hidden = false;
          mine.push(row);
          total(-1);
          return refreshCounts();
        }, function (error) { showError(row, error.message); })
        .then(function () { row.classList.remove("pending"); });
    });
    if (rows.indexOf(row) === selected) { select(nextUndecided(selected)); }
  }
  function undoRow(row) {
    var id = row.getAttribute("data-review");
    if (!id) { return; }
    showError(row, "");
    queued(function () {
      return api("POST", "/api/reviews/" + id + "/undo").then(function () {
        row.classList.remove("decided", "decided-confirm", "decided-reject", "decided-correct");
        row.removeAttribute("data-review");
        row.querySelector(".decision").textContent = "";
        row.querySelector("[data-act=undo]").hidden = true;
        mine = mine.filter(function (r) { return r !== row; });
        total(1);
        return refreshCounts();
      }, function (error) { showError(row, error.message); });
    });
  }
  function openReject(row) {
    closeForms(row);
    var form = document.getElementById("reject-template").content.firstElementChild.cloneNode(true);
    row.querySelector(".decide").after(form);
    row.classList.add("rejecting");
    row.focus();
  }
  function openCorrect(row) {
    closeForms(row);
    var form = document.getElementById("correct-template").content.firstElementChild.cloneNode(true);
    form.querySelectorAll("input").forEach(function (input) {
      input.value = row.getAttribute("data-" + input.name) || "";
      input.setAttribute("data-was", input.value);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var changes = {}, any = false;
      form.querySelectorAll("input").forEach(function (input) {
        if (input.value.trim() !== input.getAttribute("data-was").trim()) { changes[input.name] = input.value.trim(); any = true; }
      });
      if (!any) { showError(row, "nothing changed: edit a part first, or Escape to cancel"); return; }
      decide(row, "correct", { changes: changes });
    });
    row.querySelector(".decide").after(form);
    row.classList.add("correcting");
    var first = form.querySelector("input");
    first.focus();
    first.select();
  }
  function rejectWith(row, index) {
    var reason = reasons[index];
    if (reason) { decide(row, "reject", { reason: reason }); }
  }

  rows.forEach(function (row, i) {
    row.addEventListener("click", function (event) {
      if (selected !== i && !event.target.closest("form, .reject-form")) { select(i); }
      var act = event.target.closest("[data-act]");
      if (!act) { return; }
      var name = act.getAttribute("data-act");
      if (name === "confirm") { decide(row, "confirm"); }
      else if (name === "reject") { openReject(row); }
      else if (name === "reject-send") { decide(row, "reject", { reason: row.querySelector(".reject-form select").value }); }
      else if (name === "correct") { openCorrect(row); }
      else if (name === "cancel") { closeForms(row); row.focus(); }
      else if (name === "undo") { undoRow(row); }
    });
  });

  if (queue) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var row = rows[selected];
      var inForm = event.target.closest && event.target.closest(".correct-form, .reject-form");
      if (event.key === "Escape" && row && (row.classList.contains("correcting") || row.classList.contains("rejecting"))) {
        event.preventDefault();
        closeForms(row);
        row.focus();
        return;
      }
      if (inForm && event.target.tagName !== "BUTTON" && event.target.tagName !== "SELECT") { return; }
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) { return; }
      if (row && row.classList.contains("rejecting") && /^[1-9]$/.test(event.key)) {
        event.preventDefault();
        rejectWith(row, parseInt(event.key, 10) - 1);
        return;
      }
      var key = event.key;
      if (key === "?") { var d = document.getElementById("shortcuts"); d.open = !d.open; event.preventDefault(); return; }
      if (!rows.length) { return; }
      if (key === "j" || key === "ArrowDown") { event.preventDefault(); select(selected + 1); return; }
      if (key === "k" || key === "ArrowUp") { event.preventDefault(); select(selected < 0 ? 0 : selected - 1); return; }
      if (key === "u") { event.preventDefault(); if (mine.length) { undoRow(mine[mine.length - 1]); } return; }
      if (selected < 0) { select(0); row = rows[0]; }
      if (key === "c") { event.preventDefault(); if (!row.classList.contains("decided")) { decide(row, "confirm"); } }
      else if (key === "x") { event.preventDefault(); if (!row.classList.contains("decided")) { openReject(row); } }
      else if (key === "e") { event.preventDefault(); if (!row.classList.contains("decided")) { openCorrect(row); } }
      else if (key === "o") { event.preventDefault(); window.location.assign(row.getAttribute("data-article")); }
    });
    if (rows.length) { select(0); }
  }

  // --- an event's history, with undo of its latest decision --------------------------------------
  function renderHistory(box, eventId, data) {
    box.textContent = "";
    var list = document.createElement("ol");
    list.className = "history-list";
    var reviews = data.reviews || [];
    var latest = null;
    reviews.forEach(function (r) { if (!r.undone_at && !r.flag) { latest = r; } });
    reviews.forEach(function (r) {
      var item = document.createElement("li");
      var text = r.created_at + " · " + describe(r) + (r.note ? " — “" + r.note + "”" : "");
      if (r.undone_at) { text += " · undone by " + r.undone_by + " at " + r.undone_at; item.className = "undone"; }
      if (r.flag) { text += " · suspended: " + (r.flag_text || r.flag); item.className = "suspended"; }
      item.appendChild(document.createTextNode(text));
      if (latest && r.id === latest.id) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "undo-btn";
        button.textContent = "undo";
        button.addEventListener("click", function () {
          queued(function () {
            return api("POST", "/api/reviews/" + r.id + "/undo").then(function (answer) {
              var state = document.querySelector("[data-state-of='" + CSS.escape(eventId) + "']");
              if (state) { state.textContent = answer.event ? (answer.event.review || "not reviewed") : "removed"; }
              return loadHistory(box, eventId);
            }, function (error) { showBoxError(box, error.message); });
          });
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    if (!reviews.length) {
      var none = document.createElement("p");
      none.className = "muted";
      none.textContent = "Nobody has decided on this event yet.";
      box.appendChild(none);
    }
    box.appendChild(list);
  }
  function showBoxError(box, message) {
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.appendChild(p);
  }
  function loadHistory(box, eventId) {
    return api("GET", "/api/events/" + encodeURIComponent(eventId) + "/reviews").then(function (data) {
      renderHistory(box, eventId, data);
    }, function (error) { box.textContent = ""; showBoxError(box, error.message); });
  }
  document.querySelectorAll("[data-history]").forEach(function (button) {
    button.addEventListener("click", function () {
      var eventId = button.getAttribute("data-history");
      var box = document.getElementById("history-" + eventId);
      var open = box.hidden;
      box.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (open) { loadHistory(box, eventId); }
    });
  });

  // --- adding an event from a selection in the article --------------------------------------------
  var source = document.getElementById("article-source");
  var adder = document.getElementById("add-event");
  if (source && adder) {
    var chosen = null;
    var offsetOf = function (node, offset) {
      if (node.nodeType === Node.TEXT_NODE) {
        var span = node.parentElement && node.parentElement.closest("[data-start]");
        return span && source.contains(span) ? parseInt(span.getAttribute("data-start"), 10) + offset : null;
      }
      if (!source.contains(node)) { return null; }
      var marked = node.querySelectorAll ? Array.prototype.slice.call(node.querySelectorAll("[data-start]")) : [];
      if (node.hasAttribute && node.hasAttribute("data-start")) {
        var own = parseInt(node.getAttribute("data-start"), 10);
        return offset === 0 ? own : own + node.textContent.length;
      }
      var after = node.childNodes[offset];
      var next = marked.filter(function (m) { return after && (after === m || after.contains(m) ||
        (after.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING)); })[0];
      if (next) { return parseInt(next.getAttribute("data-start"), 10); }
      var last = marked[marked.length - 1];
      return last ? parseInt(last.getAttribute("data-start"), 10) + last.textContent.length : null;
    };
    var button = document.getElementById("add-from-selection");
    var form = document.getElementById("add-form");
    var quote = document.getElementById("add-quote");
    var result = document.getElementById("add-result");
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
      var range = selection.getRangeAt(0);
      var start = offsetOf(range.startContainer, range.startOffset);
      var end = offsetOf(range.endContainer, range.endOffset);
      if (start === null || end === null || end <= start) { return; }
      chosen = { start: start, end: end, text: selection.toString() };
      button.hidden = false;
      adder.hidden = false;
      quote.textContent = chosen.text;
    });
    button.addEventListener("click", function () {
      if (!chosen) { return; }
      form.hidden = false;
      form.setAttribute("data-start", String(chosen.start));
      form.setAttribute("data-end", String(chosen.end));
      form.querySelector("select, input").focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var parts = {};
      form.querySelectorAll("input, select").forEach(function (input) {
        if (input.name && input.value.trim()) { parts[input.name] = input.value.trim(); }
      });
      var body = { start: parseInt(form.getAttribute("data-start"), 10), end: parseInt(form.getAttribute("data-end"), 10),
                   parts: parts };
      result.textContent = "";
      result.className = "";
      queued(function () {
        return api("POST", "/api/articles/" + encodeURIComponent(adder.getAttribute("data-article")) + "/events", body)
          .then(function (answer) {
            result.className = "added";
            result.setAttribute("data-event", answer.event.id);
            result.textContent = "Added event " + answer.event.id + " (" + describe(answer.review) + "); reload to see it.";
            form.hidden = true;
          }, function (error) { result.className = "error"; result.textContent = error.message; });
      });
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { form.hidden = true; }
    });
  }
}());
