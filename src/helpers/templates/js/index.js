/* The index's table: sort by any column (a button in each header sets aria-sort, the ARIA
   sortable-table convention) and filter the rows by the form above it (a name typed keeps the reports
   naming an entity whose name holds it, diacritics aside: "to lam" keeps those naming Tô Lâm).
   The page holds the newest rows (pages.listing.LISTED) as HTML, which is all a reader without scripts
   sees; every report's row is data in index-rows.js (VI2EN.rows), loaded after the page is shown,
   and the table lists the first 200 matching rows of it, more on request: 10,000 rows in the page
   would take seconds to lay out. When it is ready, <html> carries data-index="ready". */
(function () {
  'use strict';
  var PAGE = 200;  // rows listed at once
  var COLUMNS = ['title', 'date', 'source', 'format', 'total', 'flagged', 'reviewed', 'status'];  // the headers'
  var FIELDS = ['id', 'title', 'english', 'date', 'source', 'format', 'language', 'total', 'flagged', 'reviewed',
    'status', 'entities'];  // a row's data, in index-rows.js's order (pages/listing.py, ROW_FIELDS)
  var here = document.currentScript ? document.currentScript.src : 'index.js';
  var base = here.slice(0, here.lastIndexOf('/') + 1);
  var state = { rows: null, entities: [], limit: PAGE, only: null };

  window.VI2EN = Object.assign(window.VI2EN || {}, {
    rows: function (data) {
      state.rows = data.rows.map(function (r) {
        var o = {};
        FIELDS.forEach(function (f, i) { o[f] = r[i]; });
        return o;
      });
      state.entities = data.entities;  // [id, Vietnamese name, English name]
    }
  });

  var STATUS = { 'new': '2', changed: '1' };
  function value(r, key) { return key === 'status' ? STATUS[r.status] || '' : r[key]; }

  function sortBy(table, th) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var key = COLUMNS[heads.indexOf(th)];
    var now = th.getAttribute('aria-sort');
    var dir = now === 'ascending' ? 'descending' : now === 'descending' ? 'ascending' : (th.dataset.first || 'ascending');
    heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var numeric = th.classList.contains('num');
    var collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });
    var sign = dir === 'ascending' ? 1 : -1;
    state.limit = PAGE;
    state.rows.sort(function (a, b) {  // stable: equal values keep the order they had
      var x = value(a, key), y = value(b, key);
      if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;  // empty cells last either way
      return sign * (numeric ? x - y : collator.compare(x, y));
    });
  }

  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  function fold(s) { return s.toLowerCase().normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd').trim(); }

  /* The ids of the entities whose Vietnamese or English name holds the folded words typed (null: no filter);
     the one entity an entities page's "and N more" names (`?entity=<name>&id=<entity id>`) until the box is
     changed (so the count on that page is the count here, however many names hold its words). */
  function entityIds(text) {
    var q = fold(text || '');
    if (!q) return null;
    var ids = {};
    if (state.only) { ids[state.only] = true; return ids; }
    state.entities.forEach(function (e) {
      if (fold(e[1]).indexOf(q) >= 0 || fold(e[2] || '').indexOf(q) >= 0) ids[e[0]] = true;
    });
    return ids;
  }

  function namesOne(r, ids) {
    if (!ids) return true;
    var own = (r.entities || '').split(' ');
    for (var i = 0; i < own.length; i++) if (ids[own[i]]) return true;
    return false;
  }

  function cell(tr, text, cls) {
    var td = tr.insertCell();
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  /* A row as pages/templates/index.html.j2 writes it. */
  function row(r) {
    var tr = document.createElement('tr');
    var d = tr.dataset;
    d.date = r.date; d.source = r.source; d.format = r.format; d.language = r.language; d.flagged = r.flagged;
    d.reviewed = r.reviewed; d.status = r.status; d.entities = r.entities;
    if (r.status) tr.className = r.status;
    var first = tr.insertCell(), a = document.createElement('a');
    first.dataset.v = r.title;
    a.href = r.id + '.html'; a.lang = 'vi'; a.textContent = r.title;
    first.appendChild(a);
    if (r.english) {
      var en = document.createElement('span');
      en.className = 'en'; en.textContent = r.english;
      first.appendChild(en);
    }
    cell(tr, r.date || '—', 'date'); cell(tr, r.source, 'source'); cell(tr, r.format);
    cell(tr, r.total, 'num'); cell(tr, r.flagged, 'num'); cell(tr, r.reviewed, 'num');
    var mark = tr.insertCell();
    mark.dataset.v = STATUS[r.status] || '';
    if (r.status) {
      var span = document.createElement('span');
      span.className = 'mark ' + r.status; span.textContent = r.status;
      mark.appendChild(span);
    }
    return tr;
  }

  function filter(table, form, counter) {
    var f = new FormData(form), want = {};
    f.forEach(function (v, k) { want[k] = String(v); });
    var ids = entityIds(want.entity);
    var shown = state.rows.filter(function (d) {
      return (!want.from || (d.date && d.date >= want.from)) && (!want.to || (d.date && d.date <= want.to)) &&
        (!want.source || d.source === want.source) && (!want.language || d.language === want.language) &&
        (!want.format || d.format === want.format) &&
        (!want.flagged || (want.flagged === 'yes') === (d.flagged !== 0)) &&
        (!want.reviewed || (want.reviewed === 'yes') === (d.reviewed !== 0)) &&
        (!want.status || (want.status === 'any' ? d.status !== '' : d.status === want.status)) && namesOne(d, ids);
    });
    var listed = Math.min(shown.length, state.limit), frag = document.createDocumentFragment();
    for (var i = 0; i < listed; i++) frag.appendChild(row(shown[i]));
    table.tBodies[0].replaceChildren(frag);
    var all = state.rows.length;
    counter.textContent = (shown.length === all ? 'All ' + all + ' reports' : shown.length + ' of ' + all + ' reports') +
      (listed < shown.length ? ' match; the first ' + listed + ' are listed.' : ' shown.');
    var more = document.getElementById('more');
    if (more) {
      more.hidden = listed >= shown.length;
      more.textContent = 'show ' + Math.min(PAGE, shown.length - listed) + ' more of ' + (shown.length - listed);
    }
  }

  function start(table, form, counter) {
    var update = function () { filter(table, form, counter); };
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var b = th.querySelector('button');
      if (b) b.addEventListener('click', function () { sortBy(table, th); update(); });
    });
    var more = document.getElementById('more');
    if (more) more.addEventListener('click', function () { state.limit += PAGE; update(); });
    form.hidden = false;
    var asked = new URLSearchParams(location.search), named = asked.get('entity');  // the entities page's "and N more"
    if (named && form.elements.entity) form.elements.entity.value = named;
    if (named && asked.get('id') && form.elements.entity) {
      state.only = asked.get('id');
      form.elements.entity.addEventListener('input', function () { state.only = null; });  // (before the form's)
    }
    form.addEventListener('input', function () { state.limit = PAGE; update(); });
    form.addEventListener('change', function () { state.limit = PAGE; update(); });
    form.addEventListener('reset', function () { setTimeout(update, 0); });
    update();
    document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
    document.documentElement.dataset.index = 'ready';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var table = document.getElementById('reports'), form = document.getElementById('filters');
    if (!table || !form) return;
    var s = document.createElement('script');
    s.src = base + 'index-rows.js';
    s.onload = function () { start(table, form, document.getElementById('shown')); };
    s.onerror = function () {
      form.hidden = false;
      document.getElementById('shown').textContent = 'index-rows.js could not be loaded: run `make reports` again.';
    };
    document.head.appendChild(s);
  });
})();
