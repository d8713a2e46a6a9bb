// casebook preview only (added by `build.py serve` as pages are sent, never written to dist/):
// reload the page after each good rebuild, show a failed build as an overlay.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script.getAttribute("data-generation"));
  var OVERLAY = "casebook-preview-error";

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/__casebook/preview.css";
  document.head.appendChild(style);

  function showError(message) {
    var box = document.getElementById(OVERLAY);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alert");
      var title = document.createElement("p");
      title.className = "casebook-preview-title";
      title.textContent = "构建失败：页面仍是上一次成功构建的结果（build failed; showing the last good build）";
      box.appendChild(title);
      box.appendChild(document.createElement("pre"));
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = message;
  }

  function clearError() {
    var box = document.getElementById(OVERLAY);
    if (box) { box.remove(); }
  }

  var events = new EventSource("/__casebook/events");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    document.documentElement.setAttribute("data-casebook-preview", "live");
    if (state.error) { showError(state.error); return; }
    clearError();
    if (state.generation !== shown) { window.location.reload(); }
  };
})();
