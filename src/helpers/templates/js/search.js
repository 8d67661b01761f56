/* Search across every report of a run, from the box in every page's header.
   The texts come from search/shard-NNNN.js files, loaded with <script> elements (a page opened from
   disk may not fetch a local file) the first time a reader searches; each shard is indexed with
   MiniSearch (minisearch.js beside this file). Queries are folded as the texts were folded in
   Python (helpers/text/normalise.py, fold): lower case, NFD without combining marks, đ as d. Words in
   "quotes" must occur as a phrase. Texts from the reports are only ever set as text, never as HTML. */
(function () {
  'use strict';
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  function fold(s) { return s.toLowerCase().normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd'); }
  var here = document.currentScript ? document.currentScript.src : 'search.js';
  var base = here.slice(0, here.lastIndexOf('/') + 1);
  var MAX_REPORTS = 50, MAX_HITS = 5;
  var state = { manifest: null, shards: [], loading: null };

  function load(src) {
    return new Promise(function (ok, fail) {
      var s = document.createElement('script');
      s.src = base + src;
      s.onload = ok;
      s.onerror = function () { fail(new Error('could not load ' + src)); };
      document.head.appendChild(s);
    });
  }

  function ready() {
    if (!state.loading) {
      state.loading = load('minisearch.js').then(function () { return load('search/manifest.js'); }).then(function () {
        var all = [];
        for (var i = 0; i < state.manifest.shards; i++) all.push(load('search/shard-' + String(i).padStart(4, '0') + '.js'));
        return Promise.all(all);
      });
    }
    return state.loading;
  }

  function shard(n, data) {
    var docs = data.docs;  // [report, anchor, kind, text, folded]
    var index = new MiniSearch({
      fields: ['f'], idField: 'i',
      extractField: function (i, field) { return field === 'i' ? i : docs[i][4]; },
      processTerm: function (term) { return fold(term); }
    });
    index.addAll(docs.map(function (_, i) { return i; }));
    state.shards[n] = { reports: data.reports, docs: docs, index: index };
  }

  function parse(query) {
    var phrases = [];
    var rest = query.replace(/"([^"]*)"?/g, function (_, p) { if (p.trim()) phrases.push(fold(p.trim())); return ' ' + p + ' '; });
    var terms = fold(rest).split(/[\s\p{P}]+/u).filter(Boolean);
    return { terms: terms, phrases: phrases.map(function (p) { return p.replace(/[\s\p{P}]+/gu, ' ').trim(); }) };
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  /* What to mark: each phrase and each word whole, the last word also as the start of a word (as searched). */
  function matcher(q) {
    var parts = q.phrases.map(function (p) { return escapeRe(p).replace(/ /g, '[\\s\\p{P}]+') + '(?![\\p{L}\\p{N}])'; })
      .concat(q.terms.map(function (t, i) {
        return escapeRe(t) + (i === q.terms.length - 1 && !q.phrases.length ? '' : '(?![\\p{L}\\p{N}])');
      }));
    return parts.length ? new RegExp('(?<![\\p{L}\\p{N}])(?:' + parts.join('|') + ')', 'gu') : null;
  }

  function phraseOk(q, folded) {
    return q.phrases.every(function (p) {
      return new RegExp('(?<![\\p{L}\\p{N}])' + escapeRe(p).replace(/ /g, '[\\s\\p{P}]+') + '(?![\\p{L}\\p{N}])', 'u').test(folded);
    });
  }

  /* The text as a fragment with what `re` finds (in the folded text) marked. */
  function highlighted(text, re) {
    var frag = document.createDocumentFragment();
    if (!re) { frag.appendChild(document.createTextNode(text)); return frag; }
    var folded = '', from = [], at = 0;
    for (var ch of text) {
      var f = fold(ch);
      for (var k = 0; k < f.length; k++) { folded += f[k]; from.push([at, at + ch.length]); }
      at += ch.length;
    }
    var last = 0, m;
    re.lastIndex = 0;
    while ((m = re.exec(folded)) !== null) {
      if (!m[0].length) { re.lastIndex++; continue; }
      var start = from[m.index][0], end = from[m.index + m[0].length - 1][1];
      if (start < last) continue;
      frag.appendChild(document.createTextNode(text.slice(last, start)));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(start, end);
      frag.appendChild(mark);
      last = end;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function search(query) {
    var q = parse(query);
    var groups = new Map(), total = 0;
    if (!q.terms.length) return { q: q, groups: [], total: 0 };
    state.shards.forEach(function (s, n) {
      var found = s.index.search(q.terms.join(' '), {
        combineWith: 'AND',
        prefix: function (term, i, terms) { return q.phrases.length === 0 && i === terms.length - 1; }
      });
      found.forEach(function (r) {
        var d = s.docs[r.id];
        if (!phraseOk(q, d[4])) return;
        total++;
        var key = n + ':' + d[0];
        if (!groups.has(key)) groups.set(key, { report: s.reports[d[0]], best: r.score, hits: [] });
        var g = groups.get(key);
        g.best = Math.max(g.best, r.score);
        g.hits.push({ doc: d, score: r.score });
      });
    });
    var list = Array.from(groups.values()).sort(function (a, b) { return b.best - a.best; });
    return { q: q, groups: list, total: total };
  }

  function panel() {
    var p = document.getElementById('vi2en-results');
    if (!p) {
      p = document.createElement('section');
      p.id = 'vi2en-results';
      p.className = 'vi2en vi2en-results';
      p.setAttribute('aria-live', 'polite');
      p.setAttribute('aria-label', 'search results');
      var nav = document.querySelector('.vi2en-nav');
      nav.parentNode.insertBefore(p, nav.nextSibling);
    }
    return p;
  }

  function show(query, answer, ms) {
    var p = panel(), re = matcher(answer.q);
    p.textContent = '';
    p.hidden = false;
    var head = document.createElement('p');
    head.className = 'lead';
    head.textContent = answer.total ? answer.total + ' matching text' + (answer.total === 1 ? '' : 's') + ' in ' +
      answer.groups.length + ' report' + (answer.groups.length === 1 ? '' : 's') + ' for “' + query + '”' +
      (answer.groups.length > MAX_REPORTS ? ' (the first ' + MAX_REPORTS + ' reports shown)' : '') :
      'Nothing found for “' + query + '”.';
    var close = document.createElement('button');
    close.type = 'button'; close.textContent = 'close'; close.className = 'close';
    close.addEventListener('click', function () { p.hidden = true; });
    head.appendChild(close);
    p.appendChild(head);
    var qs = '?q=' + encodeURIComponent(query);
    answer.groups.slice(0, MAX_REPORTS).forEach(function (g) {
      var sec = document.createElement('div');
      sec.className = 'result';
      var h = document.createElement('h3');
      var a = document.createElement('a');
      a.href = g.report[0] + '.html' + qs;
      a.lang = 'vi';
      a.appendChild(highlighted(g.report[1], re));
      h.appendChild(a);
      sec.appendChild(h);
      var ul = document.createElement('ul');
      g.hits.slice(0, MAX_HITS).forEach(function (hit) {
        var li = document.createElement('li');
        var link = document.createElement('a');
        link.href = g.report[0] + '.html' + qs + '#' + hit.doc[1];
        var kind = document.createElement('span');
        kind.className = 'kind';
        kind.textContent = hit.doc[2];
        link.appendChild(kind);
        link.appendChild(highlighted(hit.doc[3], re));
        li.appendChild(link);
        ul.appendChild(li);
      });
      if (g.hits.length > MAX_HITS) {
        var more = document.createElement('li');
        more.className = 'muted';
        more.textContent = (g.hits.length - MAX_HITS) + ' more in this report';
        ul.appendChild(more);
      }
      sec.appendChild(ul);
      p.appendChild(sec);
    });
    p.dataset.ms = String(Math.round(ms));
    p.dataset.state = 'done';
  }

  function run(query) {
    query = query.trim();
    if (!query) { panel().hidden = true; return Promise.resolve(); }
    var p = panel();
    p.dataset.state = 'searching';
    var started = performance.now();
    return ready().then(function () {
      var answer = search(query);
      show(query, answer, performance.now() - started);
    }, function (err) {
      p.hidden = false;
      p.textContent = 'The search data could not be loaded (' + err.message + '): run `make reports` again.';
      p.dataset.state = 'failed';
    });
  }

  /* On a report page opened from a result: mark the query's words in the sentence the link points to. */
  function markTarget() {
    var query = new URLSearchParams(location.search).get('q');
    if (!query) return;
    var box = document.querySelector('.vi2en-search input[type=search]');
    if (box) box.value = query;
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    target.classList.add('hit');
    var re = matcher(parse(query));
    var walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT), nodes = [], node;
    while ((node = walker.nextNode())) nodes.push(node);
    nodes.forEach(function (t) { if (t.nodeValue.trim()) t.parentNode.replaceChild(highlighted(t.nodeValue, re), t); });
  }

  window.VI2EN = Object.assign(window.VI2EN || {}, {
    fold: fold, shard: shard, search: run,
    manifest: function (m) { state.manifest = m; }
  });

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('.vi2en-search');
    if (form) {
      var box = form.querySelector('input[type=search]'), timer = null;
      form.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); run(box.value); });
      box.addEventListener('focus', function () { ready(); }, { once: true });
      box.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { run(box.value); }, 200);
      });
      box.addEventListener('keydown', function (e) { if (e.key === 'Escape') panel().hidden = true; });
    }
    markTarget();
  });
})();
