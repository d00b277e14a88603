/* report.js: the worklist's sorting and filtering (reports/html.c), compiled into the library
 * and inlined in the page, allowed by its hash in the Content-Security-Policy. The report
 * reads the same without it: the worklist is then a plain table in the order of the cards. */
(function () {
  var table = document.getElementById("worklist");
  if (!table) return;
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var filters = document.getElementById("filters"), text = document.getElementById("find");
  var state = document.getElementById("state"), shown = document.getElementById("shown");
  function cell(row, i) {
    var c = row.cells[i];
    return c.hasAttribute("data-v") ? c.getAttribute("data-v") : c.textContent.trim();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending", num = th.hasAttribute("data-num");
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) {
        o.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = cell(a, i), y = cell(b, i);
        var d = num ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  function filter() {
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean), want = state.value, n = 0;
    rows.forEach(function (r) {
      var t = r.textContent.toLowerCase();
      var ok = words.every(function (w) { return t.indexOf(w) >= 0; }) &&
               (!want || r.getAttribute("data-state") === want);
      r.hidden = !ok;
      n += ok;
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }
  text.addEventListener("input", filter);
  state.addEventListener("change", filter);
  filters.hidden = false;
  filter();
})();
