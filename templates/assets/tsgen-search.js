/* tsgen's search, in the browser: a header search box on every page, and the search page (search/?q=...)
   querying the Pagefind index that `tsgen build` writes into pagefind/ (tsgen/search/index.py).

   The index holds jieba-segmented text (words separated by spaces, no stemming). A Chinese query is cut
   with the index's own vocabulary (pagefind/tsgen-words.json: the words, or for a large vocabulary the
   number of files it is cut into, tsgen-words/N.json holding the words whose first character's code
   point is N modulo that number: a query loads the files of its own characters) into the same words, then:
     1. every part typed without a space (客户说出差, 权限不足) must match as a phrase, all parts together;
     2. failing that, all words anywhere in the page (Pagefind's AND; words the index lacks are ignored);
     3. below those: pages matching some of the parts or words, the more the higher.
   Filler words (客户, 说, 为什么, 急 ...) are dropped; KB articles weigh more than tickets, drafts and
   retired articles less. Every text from the index is put into the page as text (textContent), never as
   HTML; Pagefind's <mark> highlights are rebuilt as elements.                                            */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL("../", script.src).href;   // the script is <site>/assets/tsgen-search.js
  var searchUrl = new URL(script.getAttribute("data-search") || "search/", base).href;
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var CJK_GAP = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201f]/;
  var FILLERS = new Set(("客户 说 讲 为什么 为啥 急 很急 着急 了 的 吗 呢 啊 吧 呀 嘛 怎么 怎么办 怎么回事 如何 一直 就 都 又 也 " +
    "在 我 我们 你 您 他 她 他们 用户 反馈 请问 帮忙 帮 看看 一下 是 有 还 还是 能 会 要 想 现在 今天 突然 老是 总是 " +
    "报错 提示 出现 问题 显示 很 非常 特别 好像 一个 这个 那个 什么 没 没有 处理 麻烦 谢谢 " +
    "咋 咋办 咋回事 啥 为何 怎样 怎么样 请 帮我 查下 查一下 问下 问一下 求助 尽快 马上 紧急 " +
    "已经 刚才 刚刚 昨天 上午 下午 晚上 经常 老 总 然后 但是 可是 以后 之后 时候 的时候 结果 " +
    "有点 有些 好多 很多 几次 那边 这边 反映 投诉 来电 说是 不知道 是否 能不能 可以 得 地 着 过 " +
    "哦 噢 哈 呗 啦 咯 么 哎 唉").split(" "));
  var PAGE = 20;
  var pagefind = null;
  // the vocabulary: the filler words are cut as words too (为啥, 的时候 are rarely in the index's
  // vocabulary, and their characters alone would be searched for), then dropped; fewest pieces keeps
  // 客户端 whole, not 客户+端
  var vocab = { set: new Set(FILLERS), max: 1, head: null, files: new Map() };
  FILLERS.forEach(function (w) { vocab.max = Math.max(vocab.max, w.length); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // --- the header's search box, on every page ---------------------------------------------------------
  function headerBox() {
    var inner = document.querySelector(".md-header__inner");
    if (!inner || document.querySelector(".tsgen-header-search")) return;
    var form = el("form", "tsgen-header-search");
    form.action = searchUrl;
    form.method = "get";
    form.setAttribute("role", "search");
    var input = el("input");
    input.type = "search";
    input.name = "q";
    input.placeholder = document.documentElement.lang === "zh" ? "搜索" : "Search";
    input.setAttribute("aria-label", input.placeholder);
    var q = new URLSearchParams(location.search).get("q");
    if (q && document.getElementById("tsgen-search-results")) input.value = q;
    form.appendChild(input);
    var source = inner.querySelector(".md-header__source");
    inner.insertBefore(form, source);
  }

  // --- loading --------------------------------------------------------------------------------------
  // once, however many searches ask for it at the same time: the first bundle alone (the KB articles
  // alone, tsgen/search/index.py: small at any archive size), then the tickets' bundles merged in
  var opening = null, loading = null, merged = false, listed = null;
  function getJson(path) {  // a file of the index folder, parsed; null if the server has none
    return fetch(new URL("pagefind/" + path, base).href).then(function (r) { return r.ok ? r.json() : null; });
  }
  function loadPrimary() { return opening || (opening = openIndex()); }
  function loadPagefind() { return loading || (loading = loadPrimary().then(mergeShards)); }
  async function openIndex() {
    {
      listed = getJson("tsgen-shards.json");  // at once, not after the import
      pagefind = await import(new URL("pagefind/pagefind.js", base).href);
      await pagefind.options({ baseUrl: "/", excerptLength: 30 });
      // Pagefind takes the query's language from <html lang>, and for zh it re-cuts every query with
      // the browser's own word segmenter (ICU: 收不到 -> 收 不到, java.net.X -> java net x), which is not
      // how the index was cut (jieba, tsgen/search/segment.py). The index is written in the language
      // "unknown" (no segmenter, no stemmer): the instance is created for that language too, so the words
      // this script sends are searched as they are. Pagefind reads the attribute synchronously, at once.
      var root = document.documentElement, lang = root.getAttribute("lang");
      root.setAttribute("lang", "unknown");
      try { pagefind.init(); } finally { if (lang == null) root.removeAttribute("lang"); else root.setAttribute("lang", lang); }
    }
    return pagefind;
  }
  async function mergeShards(pf) {
    // a large archive is indexed in shards (tsgen/search/index.py): merged into one result list
    var shards = (await listed) || [];
    await Promise.all(shards.map(function (part) {  // their entry files load side by side
      return pf.mergeIndex(new URL("pagefind/" + part, base).href, { baseUrl: "/", language: "unknown" });
    }));
    merged = true;
    return pf;
  }

  function addWords(words) {
    words.forEach(function (w) { vocab.set.add(w); vocab.max = Math.max(vocab.max, w.length); });
  }
  async function loadVocab(q) {  // tsgen/search/index.py: write_words
    if (!vocab.head) {
      vocab.head = getJson("tsgen-words.json").then(function (d) {
        if (Array.isArray(d)) addWords(d);
        return d || [];
      }, function () { vocab.head = null; return []; });  // a failed fetch is tried again by the next query
    }
    var head = await vocab.head;
    if (Array.isArray(head) || !head.buckets) return vocab;
    var wanted = new Set();  // the files of the query's Chinese characters, each fetched once
    Array.from(q).forEach(function (c) { if (HAN.test(c)) wanted.add(c.codePointAt(0) % head.buckets); });
    await Promise.all(Array.from(wanted).map(function (n) {
      if (!vocab.files.has(n)) {
        vocab.files.set(n, getJson("tsgen-words/" + n + ".json").then(function (words) { addWords(words || []); },
          function () { vocab.files.delete(n); }));
      }
      return vocab.files.get(n);
    }));
    return vocab;
  }

  // KB articles carry the filter `rank` (published / other); tickets carry none, so this filter's chunk
  // stays small. For each query the same search filtered by rank tells which results are articles.
  var kbRank = new Map();
  var fragments = new Map();  // a result's data, fetched once however often it is shown
  function dataOf(r) {
    if (!fragments.has(r.id)) fragments.set(r.id, r.data());
    return fragments.get(r.id);
  }

  function withRank(opts, value) {
    return Object.assign({}, opts, { filters: Object.assign({}, opts.filters || {}, { rank: value }) });
  }

  function common(lists) {  // the results of the first list that are in every list, in its order
    var sets = lists.slice(1).map(function (l) { return new Set(l.map(function (r) { return r.id; })); });
    return lists[0].filter(function (r) { return sets.every(function (set) { return set.has(r.id); }); });
  }

  // The pages that match every term, in the order of the first; if none match them all, those of the first.
  // The same searches filtered to KB articles go first: they are fast (a few pages to score), so the
  // published articles among the results, which lead the list, can be shown (`early`) while Pagefind still
  // scores the tickets.
  async function strictTier(pf, terms, opts, byKind, early) {
    // the articles' searches are answered, and the articles shown, before the others are sent: Pagefind's
    // worker answers in turn, and the all-words search, which scores every matching ticket, is the most
    // of a query's time (the articles' fragments too would wait for it)
    var published = [], pubs = null, other = [];
    var articles = async function () {
      return (await Promise.all(terms.map(function (t) { return pf.search(t, withRank(opts, "published")); })))
        .map(function (r) { return r.results; });
    };
    var shown = false;
    if (byKind && early && !merged) {  // the articles' bundle alone, before the tickets' are opened
      var first = common(await articles());
      if (first.length) { await early(first); shown = true; }
    }
    await loadPagefind();
    if (byKind) {
      pubs = await articles();
      published = common(pubs);
      published.forEach(function (r) { kbRank.set(r.id, "published"); });
      if (early && published.length && !shown) await early(published);
      other = terms.map(function (t) { return pf.search(t, withRank(opts, "other")); });
    }
    var main = terms.map(function (t) { return pf.search(t, opts); });
    if (byKind) (await Promise.all(other)).forEach(function (r) { r.results.forEach(function (x) { kbRank.set(x.id, "other"); }); });
    var mains = (await Promise.all(main)).map(function (r) { return r.results; });
    var results = common(mains), all = !results.length && terms.length > 1;
    if (all) {  // the phrases are not there: all words anywhere (the early articles were none)
      results = mains[0];
      published = pubs ? pubs[0] : [];
      published.forEach(function (r) { kbRank.set(r.id, "published"); });
    }
    return { results: results, published: published, filters: (await main[0]).filters, all: all };
  }

  async function learn(pf, q, opts) {
    await Promise.all(["published", "other"].map(async function (value) {
      var f = Object.assign({}, opts.filters || {}, { rank: value });
      var res = await pf.search(q, Object.assign({}, opts, { filters: f }));
      res.results.forEach(function (r) { kbRank.set(r.id, value); });
    }));
  }

  // --- the query ------------------------------------------------------------------------------------
  function cutHan(run, v) {  // fewest pieces over the index vocabulary; unknown characters alone
    var n = run.length, best = [0], from = [0];
    for (var i = 1; i <= n; i++) {
      best[i] = Infinity;
      for (var len = Math.min(i, v.max); len >= 1; len--) {
        var w = run.slice(i - len, i);
        if (len > 1 && !v.set.has(w)) continue;
        var cost = best[i - len] + (len > 1 ? 1 : 1.5);
        if (cost < best[i]) { best[i] = cost; from[i] = i - len; }
      }
    }
    var out = [];
    for (var j = n; j > 0; j = from[j]) out.unshift(run.slice(from[j], j));
    return out;
  }

  function parse(q, v) {
    var parts = [];
    q.split(/[\s，。、；：！？,;!?“”‘’"'`（）()【】\[\]《》<>「」{}|]+|:(?=\s|$)/).forEach(function (raw) {
      var text = raw.replace(/^[^\w\u3400-\u9fff]+|[^\w\u3400-\u9fff]+$/g, "");
      if (!text) return;
      var words = [];
      text.split(/([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/).forEach(function (piece) {
        if (!piece) return;
        if (HAN.test(piece)) words = words.concat(v ? cutHan(piece, v) : [piece]);
        else if (piece.trim()) words.push(piece.trim());  // Pagefind drops its punctuation as in the index
      });
      parts.push({ words: words, han: HAN.test(text) });
    });
    // a filler word splits its part: the words on either side of it were never next to each other
    // (为啥导出报表的时候提示权限不足啊 -> 导出报表 + 权限不足, not the phrase 导出报表权限不足)
    var kept = [];
    parts.forEach(function (p) {
      var run = [];
      p.words.concat([null]).forEach(function (w) {
        if (w !== null && !FILLERS.has(w)) { run.push(w); return; }
        // a lone Chinese character beside words (满 of 磁盘满了, 传 of 传不上去) is no word of the index, and
        // Pagefind matches every word as a prefix (满 -> 满意): it is left out where the run has words
        var solid = run.filter(function (x) { return !(x.length === 1 && HAN.test(x)); });
        if (solid.length && solid.length < run.length) run = solid;
        if (run.length) kept.push({ words: run, han: run.some(function (x) { return HAN.test(x); }) });
        run = [];
      });
    });
    return kept.length ? kept : parts.filter(function (p) { return p.words.length; });
  }

  function isId(q) { return /^[A-Za-z]{2,}\d{4,}$/.test(q.trim()); }

  async function run(q, filters, newest, early) {
    var vp = HAN.test(q) ? loadVocab(q) : null;  // fetched while Pagefind loads
    var pf = await (early ? loadPrimary() : loadPagefind());
    var opts = { filters: filters };
    if (!q.trim()) {
      await loadPagefind();
      var all = await pf.search(null, opts);
      var listed = await newestFirst(pf, null, opts, all.results);
      return { results: listed, strict: listed.length, filters: all.filters };
    }
    var v = vp ? await vp : null;
    var parts = parse(q, v);
    var words = [];
    parts.forEach(function (p) { p.words.forEach(function (w) { if (words.indexOf(w) < 0) words.push(w); }); });
    if (!words.length) return { results: [], strict: 0, filters: {} };
    var byKind = !isId(q);  // an id is looked up as written: the page it names comes first
    var boost = function (id) {
      var k = byKind && kbRank.get(id);
      return k === "published" ? 2 : k === "other" ? 0.8 : 1;
    };

    var phrases = parts.filter(function (p) { return p.han && p.words.length > 1; });
    var phraseTerms = phrases.map(function (p) { return '"' + p.words.join(" ") + '"'; });
    // the strict tier: pages with all words and every part typed without a space as a phrase, ranked by
    // the all-words search (Pagefind scores a phrase search 1 for every page); failing the phrases, all words
    var tier = await strictTier(pf, [words.join(" ")].concat(phraseTerms), opts, byKind, early);
    var exact = phrases.length > 0 && !tier.all && tier.results.length > 0;
    var strict = tier.results;
    var rank = function (list) {
      return list.map(function (r, k) { return { r: r, s: r.score * boost(r.id), k: k }; })
        .sort(function (a, b) { return b.s - a.s || a.k - b.k; }).map(function (x) { return x.r; });
    };
    var results;
    if (newest) results = await newestFirst(pf, words.join(" "), opts, strict);
    else {  // published articles that hold the whole query first (the article is the answer), then the rest
      var lead = new Set(tier.published.map(function (r) { return r.id; }));
      results = tier.published.concat(rank(strict.filter(function (r) { return !lead.has(r.id); })));
    }
    var seen = new Set(results.map(function (r) { return r.id; }));
    var units = parts.length > 1 ? parts.map(function (p) { return p.words; })
      : (!exact && words.length > 1 ? words.map(function (w) { return [w]; }) : []);
    if (units.length && strict.length < 3 * PAGE) {  // pages with some of the parts (or words), the more the higher
      var partial = new Map();
      var unitResults = await Promise.all(units.map(async function (unit) {
        var res = await pf.search(unit.join(" "), opts);
        if (byKind && res.results.length) await learn(pf, unit.join(" "), opts);
        return res;
      }));
      for (var u = 0; u < units.length; u++) {
        unitResults[u].results.forEach(function (r, k) {
          if (seen.has(r.id)) return;
          var p = partial.get(r.id) || { r: r, n: 0, s: 0, k: k };
          p.n += 1; p.s += r.score * boost(r.id); p.k = Math.min(p.k, k);
          partial.set(r.id, p);
        });
      }
      var more = Array.from(partial.values()).sort(function (a, b) {
        return b.n - a.n || b.s - a.s;
      }).map(function (p) { return p.r; });
      results = results.concat(more);
    }
    var out = { results: results, strict: strict.length, filters: tier.filters };
    if (byKind && !newest && tier.published.length) {  // the partial matches are listed already, or not
      out = await withCases(pf, out, tier.published[0], opts, strict.length < 3 * PAGE ? [] : units);
    }
    return out;
  }

  // The tickets the leading article solved (their `kb` names it: indexed with the ticket, records.py) come
  // right after it, up to CASES of them, in Pagefind's order for the article's id: they are the known cases
  // of the answer, though a ticket may put its symptom in other words than the query (holding only some
  // of its words, it ranks below thousands of tickets that happen to hold them all). Only tickets that
  // match the query (all its words, or some of its parts or words) are moved: a case that holds none of
  // its words is not a result.
  var CASES = 5;
  async function withCases(pf, out, article, opts, units) {
    var id = ((await dataOf(article)).meta || {}).id;
    if (!id) return out;
    var res = await pf.search(id, opts);
    if (!res.results.length) return out;
    await learn(pf, id, opts);  // which of them are articles (they carry the filter rank)
    var linked = res.results.filter(function (r) { return r.id !== article.id && !kbRank.has(r.id); });
    var listed = new Set(out.results.map(function (r) { return r.id; }));
    if (units.length && linked.some(function (r) { return !listed.has(r.id); })) {
      // the partial matches were not listed (more than enough pages held every word): which cases hold some
      (await Promise.all(units.map(function (u) { return pf.search(u.join(" "), opts); })))
        .forEach(function (r) { r.results.forEach(function (x) { if (!listed.has(x.id)) listed.add(x.id + " partial"); }); });
    }
    var cases = linked.filter(function (r) { return listed.has(r.id) || listed.has(r.id + " partial"); }).slice(0, CASES);
    if (!cases.length) return out;
    var moved = new Set(cases.map(function (r) { return r.id; }));
    var strictIds = new Set(out.results.slice(0, out.strict).map(function (r) { return r.id; }));
    var rest = out.results.filter(function (r) { return !moved.has(r.id); });
    var at = rest.indexOf(article) + 1;
    var added = cases.filter(function (r) { return !strictIds.has(r.id); }).length;  // shown above the partial ones
    return { results: rest.slice(0, at).concat(cases, rest.slice(at)), strict: out.strict + added, filters: out.filters };
  }

  // Newest first without Pagefind's sort (its page order, in the entry file every query loads, would cost
  // every visitor about 2.5 bytes a page, 250 KB at 100,000 tickets): the same search once per month of the
  // filter `month` (tsgen-months.json, newest first) orders the results by month; within the months that
  // reach the first pages, by each result's date and id (ticket ids run in time order).
  var months = null;
  async function newestFirst(pf, term, opts, list) {
    if (!months) {
      months = (await getJson("tsgen-months.json")) || [];
    }
    var wanted = new Set(list.map(function (x) { return x.id; })), monthOf = new Map();
    var own = (opts.filters || {}).month;
    await Promise.all(months.filter(function (m) { return !own || own === m || (own.any || []).indexOf(m) >= 0; })
      .map(async function (m) {
        var res = await pf.search(term, Object.assign({}, opts, { filters: Object.assign({}, opts.filters, { month: m }) }));
        res.results.forEach(function (x) { if (wanted.has(x.id)) monthOf.set(x.id, m); });
      }));
    var ordered = list.map(function (x, k) { return { r: x, m: monthOf.get(x.id) || "", k: k }; })
      .sort(function (a, b) { return a.m < b.m ? 1 : a.m > b.m ? -1 : a.k - b.k; });
    var out = [], from = 0;
    while (from < ordered.length) {  // month by month; exact order inside the months the first pages show
      var to = from;
      while (to < ordered.length && ordered[to].m === ordered[from].m) to++;
      var group = ordered.slice(from, to).map(function (x) { return x.r; });
      if (from < 3 * PAGE && group.length <= 500) {
        var datas = await Promise.all(group.map(dataOf));
        var keyed = group.map(function (x, k) { var m = datas[k].meta || {}; return { r: x, d: (m.date || "") + " " + (m.id || "") }; });
        keyed.sort(function (a, b) { return a.d < b.d ? 1 : a.d > b.d ? -1 : 0; });
        group = keyed.map(function (x) { return x.r; });
      }
      out = out.concat(group);
      from = to;
    }
    return out;
  }

  // --- showing results --------------------------------------------------------------------------------
  var ENTITY = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'", "&apos;": "'" };
  function decode(s) { return s.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, function (m) { return ENTITY[m]; }); }

  function excerpt(html) {  // Pagefind's excerpt (escaped text with <mark>) rebuilt as text nodes and <mark>s
    var chars = [], marked = false;
    html.split(/(<mark>|<\/mark>)/).forEach(function (piece) {
      if (piece === "<mark>") { marked = true; return; }
      if (piece === "</mark>") { marked = false; return; }
      Array.from(decode(piece.replace(/<[^>]*>/g, ""))).forEach(function (c) { chars.push([c, marked]); });
    });
    var kept = chars.filter(function (c, i) {  // drop the spaces the segmenter put between Chinese words
      if (c[0] !== " ") return true;
      var a = i - 1, b = i + 1;
      while (a >= 0 && chars[a][0] === " ") a--;
      while (b < chars.length && chars[b][0] === " ") b++;
      return !(a >= 0 && b < chars.length && CJK_GAP.test(chars[a][0]) && CJK_GAP.test(chars[b][0]));
    });
    var p = el("p", "tsgen-result-excerpt"), run = "", state = false;
    var flush = function () {
      if (!run) return;
      p.appendChild(state ? el("mark", null, run) : document.createTextNode(run));
      run = "";
    };
    kept.forEach(function (c) { if (c[1] !== state) { flush(); state = c[1]; } run += c[0]; });
    flush();
    return p;
  }

  function badge(cls, text) { return el("span", "tsgen-badge " + cls, text); }

  function item(data, labels) {
    var m = data.meta || {};
    var li = el("li", "tsgen-result");
    li.setAttribute("data-kind", m.kind || "");
    var a = el("a", "tsgen-result-link");
    a.href = new URL(String(data.url || "").replace(/^\/+/, ""), base).href;
    a.appendChild(el("span", "tsgen-result-id", m.id || ""));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", "tsgen-result-title", m.title || ""));
    li.appendChild(a);
    var meta = el("div", "tsgen-result-meta");
    meta.appendChild(badge("tsgen-kind-" + (m.kind || ""), (labels.kind || {})[m.kind] || m.kind || ""));
    if (m.status) meta.appendChild(badge("tsgen-status-" + m.status, (labels.status || {})[m.status] || m.status));
    if (m.priority) meta.appendChild(badge("tsgen-" + m.priority.toLowerCase(), (labels.priority || {})[m.priority] || m.priority));
    if (m.date) meta.appendChild(el("time", "tsgen-result-date", m.date));
    li.appendChild(meta);
    li.appendChild(excerpt(data.excerpt || ""));
    return li;
  }

  function readFilters(form) {
    var f = {};
    form.querySelectorAll("select[data-tsgen-filter]").forEach(function (s) {
      if (!s.value) return;
      if (s.name === "year") {
        var months = Array.from(form.querySelector("select[name=month]").options).map(function (o) { return o.value; })
          .filter(function (v) { return v.indexOf(s.value + "-") === 0; });
        if (!f.month) f.month = { any: months.length ? months : [s.value + "-00"] };
      } else f[s.name] = s.value;
    });
    return f;
  }

  function fillFilters(form, counts, labels) {
    form.querySelectorAll("select[data-tsgen-filter]").forEach(function (s) {
      var key = s.name, current = s.value || new URLSearchParams(location.search).get(key) || "";
      var values = Object.assign({}, (counts || {})[key] || {});
      if (key === "year") {
        values = {};
        Object.keys((counts || {}).month || {}).forEach(function (mo) {
          values[mo.slice(0, 4)] = (values[mo.slice(0, 4)] || 0) + counts.month[mo];
        });
      }
      if (current && !(current in values)) values[current] = 0;
      while (s.options.length > 1) s.remove(1);
      Object.keys(values).sort(function (a, b) { return key === "month" || key === "year" ? (a < b ? 1 : -1) : (a < b ? -1 : 1); })
        .forEach(function (v) {
          var o = el("option", null, ((labels[key] || {})[v] || v) + " (" + values[v] + ")");
          o.value = v;
          s.appendChild(o);
        });
      s.value = current;
    });
  }

  async function searchPage(box) {
    var form = document.getElementById("tsgen-search-form");
    var input = document.getElementById("tsgen-search-q");
    var status = document.getElementById("tsgen-search-status");
    var moreBtn = document.getElementById("tsgen-search-more");
    var labels = {};
    try { labels = JSON.parse(box.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
    var words = labels.words || {};
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    var sort = form.querySelector("select[name=sort]");
    sort.value = params.get("sort") === "newest" ? "newest" : "";
    form.querySelectorAll("select[data-tsgen-filter]").forEach(function (s) {
      var v = params.get(s.name);
      if (v) { var o = el("option", null, v); o.value = v; s.appendChild(o); s.value = v; }
    });
    var seq = 0;
    // counts per filter value need every filter's chunk (at 100,000 tickets more than the query
    // itself): they are loaded when the filter box is opened, or when the URL already sets a filter
    var panel = document.getElementById("tsgen-search-filter-box");
    var counting = false;
    async function withCounts() {
      if (counting) return;
      counting = true;
      var pf = await loadPagefind();
      await pf.filters();
      go(false);
    }
    if (panel) {
      panel.addEventListener("toggle", function () { if (panel.open) withCounts(); });
      if (Array.from(params.keys()).some(function (k) { return k !== "q"; })) panel.open = true;
    }

    async function go(push) {
        var mine = ++seq;
      box.removeAttribute("data-tsgen-search-done");
      performance.mark("tsgen-search-start");
      var q = input.value, filters = readFilters(form), newest = sort.value === "newest";
      if (push) {
        var p = new URLSearchParams();
        if (q) p.set("q", q);
        form.querySelectorAll("select").forEach(function (s) { if (s.value) p.set(s.name, s.value); });
        history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : ""));
      }
      var out, first = false, settled = false;
      var mark = function () { if (!first) { first = true; performance.mark("tsgen-search-first"); } };
      var early = async function (list) {  // the published articles that lead the list, while the rest is ranked
        var asked = list.slice(0, 5).map(dataOf);  // the first few: the rest comes with all
        // each shown as soon as it and those above it are in: the first does not wait for the slowest
        for (var k = 0; k < asked.length; k++) {
          var d = await asked[k];
          if (mine !== seq || settled) return;
          if (k === 0) while (box.firstChild) box.removeChild(box.firstChild);
          box.appendChild(item(d, labels));
          mark();
        }
      };
      try {
        out = (q.trim() || Object.keys(filters).length) ? await run(q, filters, newest, newest ? null : early)
          : { results: [], strict: 0, filters: null };
      } catch (e) {
        out = { results: [], strict: 0, filters: null, error: String(e) };
      }
      settled = true;
      if (mine !== seq) return;
      if (out.filters && counting) fillFilters(form, out.filters, labels);
      while (box.firstChild) box.removeChild(box.firstChild);
      status.textContent = out.error ? out.error : (q.trim() || Object.keys(filters).length)
        ? (out.results.length ? out.results.length + " " + (words.results || "") : (words.none || "")) : "";
      var shown = 0;
      async function page() {
        var slice = out.results.slice(shown, shown + PAGE);
        var datas = await Promise.all(slice.map(dataOf));
        if (mine !== seq) return;
        datas.forEach(function (d, k) {
          if (shown + k === out.strict && out.strict > 0 && out.results.length > out.strict) {
            box.appendChild(el("li", "tsgen-search-partial", words.partial || ""));
          }
          box.appendChild(item(d, labels));
        });
        if (!shown) mark();
        shown += slice.length;
        moreBtn.hidden = shown >= out.results.length;
      }
      await page();
      moreBtn.onclick = function () { page(); };
      if (mine === seq) box.setAttribute("data-tsgen-search-done", "");
    }

    form.addEventListener("submit", function (ev) { ev.preventDefault(); go(true); });
    form.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", function () { go(true); }); });
    await go(false);
  }

  // for scripts and the benchmark: the ranked result URLs (site-relative) of a query
  window.tsgenSearch = async function (q, filters, newest, n) {
    var out = await run(q, filters || {}, !!newest);
    var datas = await Promise.all(out.results.slice(0, n || 10).map(dataOf));
    return datas.map(function (d) { return String(d.url || "").replace(/^\/+/, ""); });
  };

  function start() {
    headerBox();
    var box = document.getElementById("tsgen-search-results");
    if (box) searchPage(box);
  }
  // on the search page (this script comes after its results list) with a query in its URL, Pagefind starts
  // loading now, not at DOMContentLoaded: the page's own <link rel="modulepreload"> has fetched pagefind.js
  // meanwhile. Its error, if any, is shown by the search.
  if (document.getElementById("tsgen-search-results") && location.search.length > 1) loadPrimary().catch(function () {});
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
