/* The index's table: sort by any column (a button in each header sets aria-sort, the ARIA
   sortable-table convention) and filter the rows by the form above it (a name typed keeps the reports
   naming an entity whose name holds it, diacritics aside: "to lam" keeps those naming Tô Lâm). Without scripts the
   table is still there, newest first. Past 200 matching rows, the rest wait behind a "show more" button. */
(function () {
  'use strict';
  var PAGE = 200;  // rows listed at once (pages.listing.LISTED), more on request: 10,000 rows would take seconds to lay out
  var limit = PAGE;
  function value(row, col) {
    var cell = row.cells[col];
    return cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
  }

  function sortBy(table, th) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var col = heads.indexOf(th);
    var now = th.getAttribute('aria-sort');
    var dir = now === 'ascending' ? 'descending' : now === 'descending' ? 'ascending' : (th.dataset.first || 'ascending');
    heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var numeric = th.classList.contains('num');
    var collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });
    var body = table.tBodies[0];
    limit = PAGE;
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = value(a, col), y = value(b, col);
      if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;  // empty cells last either way
      return sign * (numeric ? Number(x) - Number(y) : collator.compare(x, y));
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    body.appendChild(frag);
  }

  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  function fold(s) { return s.toLowerCase().normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd').trim(); }

  /* The ids of the entities whose Vietnamese or English name holds the folded words typed (null: no filter). */
  function entityIds(text) {
    var q = fold(text || '');
    if (!q) return null;
    var ids = {};
    Array.prototype.forEach.call(document.querySelectorAll('#entity-names option'), function (o) {
      if (fold(o.value).indexOf(q) >= 0 || fold(o.dataset.en || '').indexOf(q) >= 0) ids[o.dataset.id] = true;
    });
    return ids;
  }

  function namesOne(d, ids) {
    if (!ids) return true;
    var own = (d.entities || '').split(' ');
    for (var i = 0; i < own.length; i++) if (ids[own[i]]) return true;
    return false;
  }

  function filter(table, form, counter) {
    var f = new FormData(form), shown = 0, rows = table.tBodies[0].rows;
    var want = {};
    f.forEach(function (v, k) { want[k] = String(v); });
    var ids = entityIds(want.entity);
    for (var i = 0; i < rows.length; i++) {
      var d = rows[i].dataset;
      var ok = (!want.from || (d.date && d.date >= want.from)) && (!want.to || (d.date && d.date <= want.to)) &&
        (!want.source || d.source === want.source) && (!want.language || d.language === want.language) &&
        (!want.format || d.format === want.format) &&
        (!want.flagged || (want.flagged === 'yes') === (d.flagged !== '0')) &&
        (!want.reviewed || (want.reviewed === 'yes') === (d.reviewed !== '0')) &&
        (!want.status || (want.status === 'any' ? d.status !== '' : d.status === want.status)) && namesOne(d, ids);
      if (ok) shown++;
      rows[i].hidden = !ok || shown > limit;
    }
    var listed = Math.min(shown, limit);
    counter.textContent = (shown === rows.length ? 'All ' + rows.length + ' reports' : shown + ' of ' + rows.length + ' reports') +
      (listed < shown ? ' match; the first ' + listed + ' are listed.' : ' shown.');
    var more = document.getElementById('more');
    if (more) {
      more.hidden = listed >= shown;
      more.textContent = 'show ' + Math.min(PAGE, shown - listed) + ' more of ' + (shown - listed);
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    var table = document.getElementById('reports');
    if (!table) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var b = th.querySelector('button');
      if (b) b.addEventListener('click', function () { sortBy(table, th); if (form) filter(table, form, counter); });
    });
    var form = document.getElementById('filters'), counter = document.getElementById('shown');
    var more = document.getElementById('more');
    if (more) more.addEventListener('click', function () { limit += PAGE; filter(table, form, counter); });
    if (form) {
      form.hidden = false;
      form.addEventListener('input', function () { limit = PAGE; filter(table, form, counter); });
      form.addEventListener('change', function () { limit = PAGE; filter(table, form, counter); });
      form.addEventListener('reset', function () { setTimeout(function () { filter(table, form, counter); }, 0); });
      filter(table, form, counter);
    }
  });
})();
