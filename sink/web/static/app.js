// handlewatch dashboard: small progressive enhancements. Every page works
// without this file; it only saves reloads.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // The bulk form shows how many cases are selected.
  var count = document.getElementById("selected-count");
  if (count) {
    var update = function () {
      count.textContent = String(document.querySelectorAll("input.pick:checked").length);
    };
    document.querySelectorAll("input.pick").forEach(function (box) {
      box.addEventListener("change", update);
    });
    update();
  }

  // A decision taken in a queue row updates that row in place instead of
  // reloading the whole queue. The server records it exactly as for the
  // plain form; only the answer differs (JSON instead of a redirect).
  document.querySelectorAll("form.inline-decision").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.fetch || !window.FormData) {
        return;
      }
      ev.preventDefault();
      var data = new FormData(form);
      if (ev.submitter && ev.submitter.name) {
        data.set(ev.submitter.name, ev.submitter.value);
      }
      var row = form.closest("tr");
      var cell = row ? row.querySelector("td.status") : null;
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (resp) {
        return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
      }).then(function (res) {
        if (res.body.next_idem) {
          form.querySelector("input[name=idem]").value = res.body.next_idem;
        }
        if (!res.ok) {
          throw new Error(res.body.error || "the decision failed");
        }
        if (cell) {
          cell.textContent = res.body.status;
          cell.setAttribute("data-status", res.body.status);
        }
        if (row) {
          row.classList.add("decided");
        }
        say(res.body.status === "" ? "" : "Case " + res.body.id + " is now " + res.body.status + ".");
      }).catch(function (err) {
        say(err.message);
      }).finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  });
});

// say shows a message in the page's status line (as text, never HTML).
function say(msg) {
  var flash = document.getElementById("flash");
  if (!flash) {
    flash = document.createElement("p");
    flash.id = "flash";
    flash.className = "flash";
    flash.setAttribute("role", "status");
    var main = document.querySelector("main");
    main.insertBefore(flash, main.firstChild);
  }
  flash.textContent = msg;
}
