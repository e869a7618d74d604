// Keeps a page in step with its game without a framework: the page names a small JSON
// status (data-status) and the game's version it was drawn at (data-version); when the
// version changes the page reloads, unless someone is busy with one of its forms. A
// countdown (.countdown[data-remaining]) ticks down once a second.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.status;
  var version = body.dataset.version;
  var typing = false;
  document.addEventListener("input", function () { typing = true; });

  // Someone is busy with a form: typing, in a field, or with a folded form opened.
  function busy() {
    var active = document.activeElement;
    var inField = active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) &&
      active.type !== "hidden";
    return typing || inField || document.querySelector("details[open] form") !== null;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && String(s.version) !== String(version) && !busy()) {
          window.location.reload();
        }
      })
      .catch(function () { /* the server is restarting: try again */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }

  function tick() {
    var items = document.querySelectorAll(".countdown[data-remaining]");
    items.forEach(function (el) {
      var left = Math.max(0, parseInt(el.dataset.remaining, 10) - 1);
      el.dataset.remaining = String(left);
      var s = left % 60;
      el.textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
    });
  }

  if (url) { window.setTimeout(poll, 2000); }
  window.setInterval(tick, 1000);
})();
