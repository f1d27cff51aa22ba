// pqscan HTML report: sortable, filterable, paginated tables over data embedded in the page.
// Everything that came from a scanned target is inserted with textContent, never as markup.
(function () {
  "use strict";
  var PAGE = 100;
  var PRINT_AT_LOAD = 5000; // larger tables get their print copy on "beforeprint"
  var NUMERIC = /^[\d\s.,:\/%+\-]+$|^\d{4}-\d{2}-\d{2}/;
  function readData(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var SEV_RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

  function makeTable(spec) {
    var root = document.getElementById(spec.root);
    if (!root) return;
    var packed = readData(spec.data) || { dict: [], rows: [] };
    var dicts = packed.dict;
    var rows = packed.rows.map(function (r) {
      return r.map(function (v, j) { return dicts[j] ? dicts[j][v] : v; });
    });
    var cols = spec.columns;
    var state = { sort: spec.sort || 0, dir: spec.dir || -1, page: 0, filter: "", sev: "" };

    var controls = document.createElement("div");
    controls.className = "controls";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Filter (any column)…";
    search.setAttribute("aria-label", "Filter " + spec.label);
    controls.appendChild(search);
    var sevSel = null;
    if (spec.severityCol !== undefined) {
      sevSel = document.createElement("select");
      sevSel.setAttribute("aria-label", "Severity");
      ["", "critical", "high", "medium", "low", "info"].forEach(function (s) {
        var o = document.createElement("option");
        o.value = s;
        o.textContent = s ? s : "all severities";
        sevSel.appendChild(o);
      });
      controls.appendChild(sevSel);
    }
    var count = document.createElement("span");
    count.className = "count";
    controls.appendChild(count);
    root.appendChild(controls);

    var table = document.createElement("table");
    table.className = "data";
    var thead = table.createTHead();
    var hr = thead.insertRow();
    cols.forEach(function (c, i) {
      var th = document.createElement("th");
      th.textContent = c;
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      th.addEventListener("click", function () { sortBy(i); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(i); });
      hr.appendChild(th);
    });
    var tbody = table.createTBody();
    var wrap = document.createElement("div");
    wrap.className = "tablewrap";
    wrap.appendChild(table);
    root.appendChild(wrap);

    var pager = document.createElement("div");
    pager.className = "pager";
    var prev = document.createElement("button");
    prev.textContent = "‹ Previous";
    var next = document.createElement("button");
    next.textContent = "Next ›";
    var where = document.createElement("span");
    pager.appendChild(prev);
    pager.appendChild(where);
    pager.appendChild(next);
    root.appendChild(pager);

    function fillCell(td, v, j) {
      var text = v === null || v === undefined ? "" : String(v);
      td.textContent = text;
      if (j === spec.severityCol) td.className = "sev sev-" + v;
      else if (text && NUMERIC.test(text)) td.className = "num";
    }
    // Print: every row, in the current order, in a table only print shows (the pager is screen-only).
    var printTable = null;
    var printNote = document.createElement("p");
    printNote.className = "print-note count";
    printNote.textContent = "Printed: all " + rows.length + " " + spec.label + " rows.";
    root.appendChild(printNote);
    function buildPrint() {
      if (printTable) return;
      printTable = document.createElement("table");
      printTable.className = "data print-all";
      printTable.setAttribute("data-rows", String(rows.length));
      var ph = printTable.createTHead().insertRow();
      var nth = document.createElement("th");
      nth.textContent = "#";
      ph.appendChild(nth);
      cols.forEach(function (c) { var th = document.createElement("th"); th.textContent = c; ph.appendChild(th); });
      var pb = printTable.createTBody();
      var frag = document.createDocumentFragment();
      view.forEach(function (r, i) {
        var tr = document.createElement("tr");
        var n = tr.insertCell();
        n.className = "num";
        n.textContent = (spec.prefix || "") + (i + 1);
        for (var j = 0; j < cols.length; j++) fillCell(tr.insertCell(), r[j], j);
        frag.appendChild(tr);
      });
      pb.appendChild(frag);
      root.appendChild(printTable);
    }
    window.addEventListener("beforeprint", buildPrint);
    var view = rows;
    function key(v, i) {
      if (i === spec.severityCol) return SEV_RANK[v] === undefined ? -1 : SEV_RANK[v];
      return v === null || v === undefined ? "" : v;
    }
    function sortBy(i) {
      if (state.sort === i) state.dir = -state.dir; else { state.sort = i; state.dir = 1; }
      apply();
    }
    function apply() {
      var f = state.filter.toLowerCase();
      view = rows.filter(function (r) {
        if (state.sev && r[spec.severityCol] !== state.sev) return false;
        if (!f) return true;
        for (var j = 0; j < r.length; j++) {
          if (r[j] !== null && String(r[j]).toLowerCase().indexOf(f) !== -1) return true;
        }
        return false;
      });
      var s = state.sort, d = state.dir;
      view.sort(function (a, b) {
        var x = key(a[s], s), y = key(b[s], s);
        return x < y ? -d : x > y ? d : 0;
      });
      state.page = 0;
      render();
    }
    function render() {
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      var start = state.page * PAGE;
      var end = Math.min(view.length, start + PAGE);
      for (var k = start; k < end; k++) {
        var tr = tbody.insertRow();
        var r = view[k];
        for (var j = 0; j < cols.length; j++) {
          var td = tr.insertCell();
          var v = r[j];
          fillCell(td, v, j);
        }
      }
      count.textContent = view.length + " of " + rows.length + " rows";
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      where.textContent = "page " + (state.page + 1) + " / " + pages;
      prev.disabled = state.page === 0;
      next.disabled = state.page + 1 >= pages;
      Array.prototype.forEach.call(hr.children, function (th, i) {
        th.setAttribute("aria-sort", i === state.sort ? (state.dir > 0 ? "ascending" : "descending") : "none");
      });
    }
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.filter = search.value; apply(); }, 150);
    });
    if (sevSel) sevSel.addEventListener("change", function () { state.sev = sevSel.value; apply(); });
    prev.addEventListener("click", function () { state.page--; render(); });
    next.addEventListener("click", function () { state.page++; render(); });
    apply();
    if (rows.length <= PRINT_AT_LOAD) buildPrint();
    root.setAttribute("data-ready", "true");
  }

  // In print, the arithmetic behind each plan step is shown, not one click away.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  var specs = readData("pqscan-tables") || [];
  specs.forEach(makeTable);
  document.body.setAttribute("data-report-ready", "true");
})();
