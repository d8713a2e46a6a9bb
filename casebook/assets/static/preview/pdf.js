// casebook preview only (build.py serve --pdf): the pages of the screen PDF that the last
// build changed, as images (their alternative text is the page's text), shown again after
// every PDF build, and first as soon as the edited pages are laid out (an interim build:
// no folio yet); any other page on request.
(function () {
  "use strict";
  var shown = -1;
  var pages = document.getElementById("pages");
  var status = document.getElementById("status");

  function figure(index, text, generation) {
    var box = document.createElement("figure");
    var image = document.createElement("img");
    image.src = "/__casebook/pdf/page/" + index + ".png?g=" + generation;
    image.alt = text || "";
    var caption = document.createElement("figcaption");
    caption.textContent = "第 " + (index + 1) + " 页";
    box.appendChild(image);
    box.appendChild(caption);
    return box;
  }

  function show() {
    fetch("/__casebook/pdf/changes.json", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (build) {
        if (build.generation === shown || !build.screen) { return; }
        shown = build.generation;
        document.documentElement.setAttribute("data-pdf-generation", String(shown));
        document.getElementById("file").href = "/__casebook/pdf/" + build.screen;
        status.textContent = build.interim
          ? "排版 " + build.seconds.toFixed(2) + " 秒：先显示改动的 " + build.changed.length +
            " 页（尚无页码；合并后的 PDF 随后写出）："
          : build.pages + " 页；本次构建 " + build.seconds.toFixed(2) +
            " 秒，改动 " + build.changed.length + " 页" +
            (build.changed.length ? "：" : "（没有页面改动）");
        pages.replaceChildren.apply(pages, build.changed.map(function (index, i) {
          return figure(index, build.texts[i], shown);
        }));
      });
  }

  document.getElementById("show").addEventListener("click", function () {
    var n = Number(document.getElementById("goto").value);
    if (n >= 1) { pages.replaceChildren(figure(n - 1, "", shown)); }
  });

  var events = new EventSource("/__casebook/events");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.pdf !== shown) { show(); }
  };
})();
