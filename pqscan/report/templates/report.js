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
  // A new element (class and text optional), appended to parent when one is given.
  function add(parent, tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

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

    var controls = add(root, "div", "controls");
    var search = add(controls, "input");
    search.type = "search";
    search.placeholder = "Filter (any column)…";
    search.setAttribute("aria-label", "Filter " + spec.label);
    var sevSel = null;
    if (spec.severityCol !== undefined) {
      sevSel = add(controls, "select");
      sevSel.setAttribute("aria-label", "Severity");
      ["", "critical", "high", "medium", "low", "info"].forEach(function (s) {
        add(sevSel, "option", "", s ? s : "all severities").value = s;
      });
    }
    var count = add(controls, "span", "count");

    var table = add(add(root, "div", "tablewrap"), "table", "data");
    var hr = table.createTHead().insertRow();
    cols.forEach(function (c, i) {
      var th = add(hr, "th", "", c);
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      th.addEventListener("click", function () { sortBy(i); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(i); });
    });
    var tbody = table.createTBody();

    var pager = add(root, "div", "pager");
    var prev = add(pager, "button", "", "‹ Previous");
    var where = add(pager, "span");
    var next = add(pager, "button", "", "Next ›");

    function fillCell(td, v, j) {
      var text = v === null || v === undefined ? "" : String(v);
      td.textContent = text;
      if (j === spec.severityCol) td.className = "sev sev-" + v;
      else if (text && NUMERIC.test(text)) td.className = "num";
    }
    // Print: every row, in the current order, in a table only print shows (the pager is screen-only).
    var printTable = null;
    add(root, "p", "print-note count", "Printed: all " + rows.length + " " + spec.label + " rows.");
    function buildPrint() {
      if (printTable) return;
      printTable = add(null, "table", "data print-all");
      printTable.setAttribute("data-rows", String(rows.length));
      var ph = printTable.createTHead().insertRow();
      add(ph, "th", "", "#");
      cols.forEach(function (c) { add(ph, "th", "", c); });
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
