// casebook: full-text search on the Pagefind index, for the HTML edition's search page.
// Progressive enhancement: the page works (and says why search does not) without this script.
// Pagefind matches Chinese queries word by word, so it returns many pages that lack the
// exact phrase; every result is kept only if its indexed text contains every query term.
"use strict";

(() => {
  const SCRIPT_URL = document.currentScript.src;
  const EXCERPT_BEFORE = 24;
  const EXCERPT_AFTER = 56;
  const form = document.querySelector("form.search-form");
  const input = form.querySelector("input[name=q]");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  let pagefind = null;
  let latest = 0;
  let timer = 0;

  const fold = (text) => text.toLowerCase();
  const terms = (query) => query.split(/\s+/).filter(Boolean).map(fold);

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", SCRIPT_URL).href).then(async (pf) => {
        await pf.options({ baseUrl: "/", excerptLength: 0 });
        return pf;
      });
    }
    return pagefind;
  }

  // The pages that contain every term, in Pagefind's ranking order.
  async function find(query) {
    const words = terms(query);
    const pf = await loadPagefind();
    const found = await pf.search(query);
    const pages = await Promise.all(found.results.map((result) => result.data()));
    const hits = pages.filter((page) => words.every((w) => fold(page.content).includes(w)));
    return { hits, words, candidates: pages.length };
  }

  // Pagefind joins blocks with ". "; after Chinese text an ideographic space reads better.
  const tidy = (content) => content.replace(/([^\x00-\x7f])\. /g, "$1\u3000");

  function excerpt(raw, words) {
    const content = tidy(raw);
    const text = fold(content);
    const at = Math.max(0, text.indexOf(words[0]));
    const start = Math.max(0, at - EXCERPT_BEFORE);
    const end = Math.min(content.length, at + words[0].length + EXCERPT_AFTER);
    const p = document.createElement("p");
    p.className = "search-excerpt";
    if (start > 0) p.append("…");
    let pos = start;
    while (pos < end) {
      const next = nextMatch(text, words, pos, end);
      if (!next) break;
      p.append(content.slice(pos, next.at));
      const mark = document.createElement("mark");
      mark.textContent = content.slice(next.at, next.at + next.length);
      p.append(mark);
      pos = next.at + next.length;
    }
    p.append(content.slice(pos, end));
    if (end < content.length) p.append("…");
    return p;
  }

  function nextMatch(text, words, from, end) {
    let best = null;
    for (const w of words) {
      const at = text.indexOf(w, from);
      if (at >= 0 && at + w.length <= end && (!best || at < best.at)) {
        best = { at, length: w.length };
      }
    }
    return best;
  }

  function item(page, words) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = page.url.replace(/^\//, "");
    link.textContent = page.meta.title || page.url;
    li.append(link, excerpt(page.content, words));
    return li;
  }

  function say(text) {
    status.textContent = text;
  }

  async function run(query) {
    const id = ++latest;
    query = query.trim();
    if (!query) {
      list.replaceChildren();
      say("请输入要搜索的词语。");
      return;
    }
    say("正在搜索……");
    const { hits, words } = await find(query);
    if (id !== latest) return;
    list.replaceChildren(...hits.map((page) => item(page, words)));
    say(hits.length ? `找到 ${hits.length} 篇含“${query}”的文章。` : `没有找到含“${query}”的文章。`);
  }

  function start(query) {
    run(query).catch((error) => {
      say("搜索索引无法加载。请通过网址（静态网站服务器）打开本站后再试。");
      console.error("casebook search:", error);
    });
  }

  function remember(query) {
    const url = new URL(location.href);
    url.searchParams.set("q", query);
    history.replaceState(null, "", url);
  }

  if (location.protocol === "file:") return; // the page already explains why search is off
  say("请输入要搜索的词语。");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    remember(input.value);
    start(input.value);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      remember(input.value);
      start(input.value);
    }, 250);
  });
  const initial = new URLSearchParams(location.search).get("q") || "";
  if (initial) {
    input.value = initial;
    start(initial);
  }
})();
