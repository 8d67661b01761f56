/* Search across every report of a run, from the box in every page's header.
   The search data is under search/ (pages/search.py writes it), in JavaScript files loaded with <script>
   elements (a page opened from disk may not fetch a local file), each only when a query needs it:
   manifest.js (the first term of each term shard), terms-NNNN.js (which reports hold each folded term,
   and how often), ids-NNNN.js (the reports' ids by number) and text/<id>.js (a report's texts, for the
   reports shown). The reports holding every word are ranked (tf-idf); the texts of the best are
   matched, ranked and marked with MiniSearch (minisearch.js beside this file), a few reports at a time.
   Queries are folded as the texts were folded in Python (helpers/text/normalise.py, fold): lower case,
   NFD without combining marks, đ as d. Words in "quotes" must occur as a phrase. Texts from the reports
   are only ever set as text, never as HTML. */
(function () {
  'use strict';
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  var SPLIT = /[\s\p{P}]+/u;  // where words end, in a query and in a text (pages/search.py: _SPLIT)
  function fold(s) { return s.toLowerCase().normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd'); }
  var here = document.currentScript ? document.currentScript.src : 'search.js';
  var base = here.slice(0, here.lastIndexOf('/') + 1);
  var SHOWN = 10;  // reports shown at once, more on request
  var LOOK = 20;  // reports whose texts one step may load looking for SHOWN holding a phrase
  var PREFIX_SHARDS = 4;  // the last word is also a prefix when its terms lie in at most this many shards
  var MAX_HITS = 5;
  var PAIR = 2;  // a pair of the query's words next to each other in a report counts as much as two words
  var state = { manifest: null, terms: [], ids: [], texts: {}, files: {}, last: null };

  function load(src) {
    if (!state.files[src]) {
      state.files[src] = new Promise(function (ok, fail) {
        var s = document.createElement('script');
        s.src = base + src;
        s.onload = ok;
        s.onerror = function () { delete state.files[src]; fail(new Error('could not load ' + src)); };
        document.head.appendChild(s);
      });
    }
    return state.files[src];
  }

  function pad(n) { return String(n).padStart(4, '0'); }

  function ready() {
    return Promise.all([load('minisearch.js'), load('search/manifest.js')]);
  }

  /* The shard that would hold `term`: the last whose first term is not after it. */
  function shardOf(term) {
    var firsts = state.manifest.shards, lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /* The shards holding the terms that start with `prefix`. */
  function shardsFor(prefix) {
    var firsts = state.manifest.shards, at = shardOf(prefix), list = [at];
    while (at + 1 < firsts.length && firsts[at + 1].startsWith(prefix)) list.push(++at);
    return list;
  }

  /* Add a term's postings to `tf` (unit -> times): each a number in characters of the manifest's
     digits (5 bits each, low first, the sixth bit set while more follow): the gap from the previous unit
     shifted by tf_bits, with the times it occurs there (pages/search.py, encoded). */
  function add(tf, text) {
    var m = state.manifest, bits = m.tf_bits, mask = (1 << bits) - 1, unit = 0, v = 0, shift = 0;
    if (!state.digit) {
      state.digit = {};
      for (var k = 0; k < m.digits.length; k++) state.digit[m.digits.charCodeAt(k)] = k;
    }
    for (var i = 0; i < text.length; i++) {
      var d = state.digit[text.charCodeAt(i)];
      v += (d & 31) * Math.pow(2, shift);
      if (d & 32) { shift += 5; continue; }
      unit += Math.floor(v / (mask + 1));
      tf.set(unit, (tf.get(unit) || 0) + (v & mask));
      v = 0; shift = 0;
    }
  }

  /* Each pair of the query's words next to each other (the index holds them as "word word"), and
     whether it is inside a phrase (then a unit must hold it); not the word being typed (a prefix). */
  function pairs(q, prefix) {
    var inPhrase = {};
    q.phrases.forEach(function (p) {
      var w = p.split(' ');
      for (var i = 0; i + 1 < w.length; i++) inPhrase[w[i] + ' ' + w[i + 1]] = true;
    });
    var list = [];
    for (var i = 0; i + 1 < q.terms.length; i++) {
      if (prefix && i + 2 === q.terms.length) break;
      var pair = q.terms[i] + ' ' + q.terms[i + 1];
      list.push({ term: pair, prefix: false, shards: [shardOf(pair)], required: !!inPhrase[pair] });
    }
    return list;
  }

  /* A term's units (unit -> times) from its loaded shards; a prefix: every term it starts. */
  function unitsOf(w) {
    var tf = new Map();
    w.shards.forEach(function (n) {
      var shard = state.terms[n];
      if (!w.prefix) { if (Object.prototype.hasOwnProperty.call(shard, w.term)) add(tf, shard[w.term]); return; }
      for (var term in shard) if (term.startsWith(w.term)) add(tf, shard[term]);
    });
    return tf;
  }

  /* The units holding every word of the query (and every pair of words of a phrase), best first:
     tf-idf over the collection, the pairs of words next to each other counting PAIR times a word. */
  function find(q) {
    var last = q.terms.length - 1;
    var wants = q.terms.map(function (t, i) {
      var prefix = i === last && !q.phrases.length, list = prefix ? shardsFor(t) : [shardOf(t)];
      if (list.length > PREFIX_SHARDS) { prefix = false; list = [shardOf(t)]; }
      return { term: t, prefix: prefix, shards: list };
    });
    var twos = pairs(q, wants[last].prefix);
    var files = {};
    wants.concat(twos).forEach(function (w) { w.shards.forEach(function (n) { files[n] = true; }); });
    return Promise.all(Object.keys(files).map(function (n) { return load('search/terms-' + pad(n) + '.js'); }))
      .then(function () {
        var sets = wants.map(unitsOf), near = twos.map(unitsOf);
        var order = sets.slice().sort(function (a, b) { return a.size - b.size; });
        var units = state.manifest.units, found = [];
        var weight = function (s, unit) { return Math.log(1 + units / s.size) * (1 + Math.log(s.get(unit))); };
        order[0].forEach(function (_, unit) {
          if (!order.every(function (s) { return s.has(unit); })) return;
          if (!twos.every(function (w, i) { return !w.required || near[i].has(unit); })) return;
          var score = 0;
          sets.forEach(function (s) { score += weight(s, unit); });
          near.forEach(function (s) { if (s.has(unit)) score += PAIR * weight(s, unit); });
          found.push([unit, score]);
        });
        found.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        return { q: q, prefix: wants[last].prefix, units: found, next: 0, groups: [], texts: 0 };
      });
  }

  /* The texts of a unit that hold each word of the query as a piece of a folded word (`some`: any word),
     indexed with MiniSearch: the few it need match, rank and mark, not the report's every text. */
  function indexOf(id, q, some) {
    var data = state.texts[id];
    var folded = data.folded || (data.folded = data.docs.map(function (d) { return fold(d[2]); }));
    var has = function (i) { return function (t) { return folded[i].indexOf(t) >= 0; }; };
    var picked = [];
    for (var i = 0; i < folded.length; i++) if (some ? q.terms.some(has(i)) : q.terms.every(has(i))) picked.push(i);
    var index = new MiniSearch({
      fields: ['f'], idField: 'i',
      extractField: function (i, field) { return field === 'i' ? i : folded[i]; },
      tokenize: function (s) { return s.split(SPLIT); },
      processTerm: function (term) { return term || null; }  // the texts and the query are folded already
    });
    index.addAll(picked);
    return index;
  }

  /* One unit's result group: its texts holding every word (a phrase: holding it), best first; else, when
     the query has no phrase, the texts holding most of its words (`loose`: the words are in different
     texts of the report). Null when a phrase is in none of its texts. */
  function group(id, a) {
    var data = state.texts[id], q = a.q, loose = false;
    var opts = { combineWith: 'AND', prefix: function (term, i, terms) { return a.prefix && i === terms.length - 1; } };
    var found = indexOf(id, q, false).search(q.terms.join(' '), opts);
    if (!found.length && !q.phrases.length) {
      opts.combineWith = 'OR';
      found = indexOf(id, q, true).search(q.terms.join(' '), opts);
      loose = true;
    }
    var hits = found.filter(function (r) { return phraseOk(q, data.folded[r.id]); })
      .map(function (r) { return { doc: data.docs[r.id], score: r.score }; });
    return hits.length ? { id: id, page: data.page, title: data.title, hits: hits, loose: loose } : null;
  }

  /* Load the next units' ids and texts, SHOWN at a time, until SHOWN more groups are found (a phrase may
     be in none of a report's texts: at most LOOK units are looked at); groups with every word in one
     text first. */
  function more(a) {
    var wanted = a.groups.length + SHOWN, looked = 0, found = [];
    function step() {
      if (a.groups.length + found.length >= wanted || a.next >= a.units.length || looked >= LOOK) {
        found.sort(function (x, y) { return x.loose - y.loose; });  // stable: the collection's order within each
        found.forEach(function (g) { a.groups.push(g); a.texts += g.loose ? 0 : g.hits.length; });
        return Promise.resolve(a);
      }
      var batch = a.units.slice(a.next, a.next + Math.min(wanted - a.groups.length - found.length, LOOK - looked))
        .map(function (u) { return u[0]; });
      var chunk = state.manifest.chunk;
      var chunks = {};
      batch.forEach(function (u) { chunks[Math.floor(u / chunk)] = true; });
      return Promise.all(Object.keys(chunks).map(function (c) { return load('search/ids-' + pad(c) + '.js'); }))
        .then(function () {
          var ids = batch.map(function (u) { return state.ids[Math.floor(u / chunk)][u % chunk]; });
          return Promise.all(ids.map(function (id) { return load('search/text/' + encodeURIComponent(id) + '.js'); }))
            .then(function () {
              ids.forEach(function (id) {
                var g = group(id, a);
                if (g) found.push(g);
              });
              a.next += batch.length;
              looked += batch.length;
              return step();
            });
        });
    }
    return step();
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

  function show(query, a, ms) {
    var p = panel(), re = matcher(a.q);
    p.textContent = '';
    p.hidden = false;
    var head = document.createElement('p');
    head.className = 'lead';
    var n = a.units.length, plural = function (k, w) { return k + ' ' + w + (k === 1 ? '' : 's'); };
    head.textContent = !n ? 'Nothing found for “' + query + '”.' :
      plural(n, 'report') + (n === 1 ? ' holds' : ' hold') + ' every word of “' + query + '”' + (a.groups.length ?
        '; the best ' + a.groups.length + ' shown, ' + plural(a.texts, 'text') + ' with every word' +
        (a.q.phrases.length ? ' and the phrase' : '') + ' marked' :
        '; none of the ' + a.next + ' looked at has the phrase') + '.';
    var close = document.createElement('button');
    close.type = 'button'; close.textContent = 'close'; close.className = 'close';
    close.addEventListener('click', function () { p.hidden = true; });
    head.appendChild(close);
    p.appendChild(head);
    var qs = '?q=' + encodeURIComponent(query);
    a.groups.forEach(function (g) {
      var sec = document.createElement('div');
      sec.className = 'result';
      var h = document.createElement('h3');
      var link = document.createElement('a');
      link.href = g.page + qs;
      link.lang = 'vi';
      link.appendChild(highlighted(g.title, re));
      h.appendChild(link);
      if (g.loose) {
        var note = document.createElement('span');
        note.className = 'muted'; note.textContent = ' (the words in different texts)';
        h.appendChild(note);
      }
      sec.appendChild(h);
      var ul = document.createElement('ul');
      g.hits.slice(0, MAX_HITS).forEach(function (hit) {
        var li = document.createElement('li');
        var to = document.createElement('a');
        to.href = g.page + qs + '#' + hit.doc[0];
        var kind = document.createElement('span');
        kind.className = 'kind';
        kind.textContent = hit.doc[1];
        to.appendChild(kind);
        to.appendChild(highlighted(hit.doc[2], re));
        li.appendChild(to);
        ul.appendChild(li);
      });
      if (g.hits.length > MAX_HITS) {
        var rest = document.createElement('li');
        rest.className = 'muted';
        rest.textContent = (g.hits.length - MAX_HITS) + ' more in this report';
        ul.appendChild(rest);
      }
      sec.appendChild(ul);
      p.appendChild(sec);
    });
    if (a.next < a.units.length) {
      var further = document.createElement('button');
      further.type = 'button'; further.className = 'more'; further.textContent = 'more results';
      further.addEventListener('click', function () {
        p.dataset.state = 'searching';
        var started = performance.now();
        more(a).then(function () { show(query, a, performance.now() - started); });
      });
      p.appendChild(further);
    }
    p.dataset.ms = String(Math.round(ms));
    p.dataset.state = 'done';
  }

  function run(query) {
    query = query.trim();
    if (!query) { panel().hidden = true; return Promise.resolve(); }
    var p = panel(), q = parse(query);
    p.dataset.state = 'searching';
    var started = performance.now();
    var asked = state.last = {};
    return ready().then(function () {
      if (!q.terms.length) return { q: q, prefix: false, units: [], next: 0, groups: [], texts: 0 };
      return find(q).then(more);
    }).then(function (a) {
      if (state.last === asked) show(query, a, performance.now() - started);  // a later query's answer wins
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
    fold: fold, search: run, prepare: ready,  // prepare: what the box's focus loads (MiniSearch, the manifest)
    manifest: function (m) { state.manifest = m; },
    terms: function (n, shard) { state.terms[n] = shard; },
    ids: function (n, ids) { state.ids[n] = ids; },
    texts: function (id, data) { state.texts[id] = data; }
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
