/* LeakPro report: sortable tables and ROC threshold sliders. No network, no dependencies. */
(function () {
  "use strict";

  function cellKey(cell, numeric) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    var x = parseFloat(raw);
    return isNaN(x) ? -Infinity : x;
  }

  function sortTable(table, col, th) {
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a.cells[col], numeric), y = cellKey(b.cells[col], numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      th.setAttribute("tabindex", "0");
      th.addEventListener("click", function () { sortTable(table, col, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortTable(table, col, th); });
    });
  });

  function pct(x) { return isFinite(x) ? (100 * x).toFixed(2) + "%" : "—"; }

  var priorInput = document.getElementById("member-prior");
  function prior() {
    var p = priorInput ? parseFloat(priorInput.value) : NaN;
    return isFinite(p) && p > 0 && p < 1 ? p : 0.5;
  }

  var sliders = [];
  document.querySelectorAll(".slider").forEach(function (box) {
    var data = JSON.parse(box.querySelector("script.slider-data").textContent);
    var input = box.querySelector("input.threshold");
    var key = box.getAttribute("data-slider");  // an attack id may hold any character: compare, never build a selector
    var fig = Array.prototype.find.call(document.querySelectorAll("figure.roc-wrap"), function (f) {
      return f.getAttribute("data-slider") === key;
    });
    var marker = fig ? fig.querySelector(".marker") : null;
    function out(sel, text) { box.querySelector(sel).textContent = text; }
    function update() {
      var i = parseInt(input.value, 10), p = data.points, g = data.geometry;
      var tp = p.tp[i], fp = p.fp[i], tpr = tp / p.members, fpr = fp / p.non_members, q = prior();
      var ppv = tp + fp === 0 ? NaN : q * tpr / (q * tpr + (1 - q) * fpr);
      var thr = p.threshold[i];
      out(".thr", thr === null ? "above every score (nobody flagged)" : "score ≥ " + Number(thr).toPrecision(4));
      out(".tpr", pct(tpr)); out(".tp", "(" + tp.toLocaleString("en") + " / " + p.members.toLocaleString("en") + " members)");
      out(".fpr", pct(fpr)); out(".fp", "(" + fp.toLocaleString("en") + " / " + p.non_members.toLocaleString("en") + " non-members)");
      out(".ppv", pct(ppv)); out(".prior-note", "at member prior " + pct(q));
      if (marker && g && g.log) {
        var lx = Math.log10(Math.max(fpr, g.floor)), ly = Math.log10(Math.max(tpr, g.floor)), lf = Math.log10(g.floor);
        var fx = (lx - lf) / (0 - lf), fy = (ly - lf) / (0 - lf);
        marker.style.left = 100 * (g.x0 + fx * g.w) + "%";
        marker.style.top = 100 * (1 - (g.y0 + fy * g.h)) + "%";
        marker.hidden = false;
      }
    }
    input.addEventListener("input", update);
    sliders.push(update);
    update();
  });
  if (priorInput) priorInput.addEventListener("input", function () { sliders.forEach(function (u) { u(); }); });
})();
