/* Loket's small progressive enhancements. Every page works without this file.

   1. Error summary: when a page (or an htmx swap) shows "There is a problem", the summary
      gets the focus, so the browser scrolls to it and a screen reader reads it.
   2. Character counter: a textarea with data-counter (the _forms.html textarea macro sets it
      for long fields) gets "n of max characters left" below it. The count is what the
      server counts: line breaks are one character (the server turns CRLF into LF first).
*/
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (!summary && root && root.classList && root.classList.contains("error-summary")) {
      summary = root;
    }
    if (summary) {
      summary.focus();
      summary.scrollIntoView({block: "start"});
    }
  }

  function formatNumber(n) {
    var lang = document.documentElement.lang || "nl";
    try { return n.toLocaleString(lang); } catch (e) { return String(n); }
  }

  function setUpCounter(area) {
    if (area.dataset.counterReady) { return; }
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var out = document.getElementById(area.id + "-counter");
    if (!max || !out) { return; }
    area.dataset.counterReady = "1";
    var left = out.dataset.left, over = out.dataset.over;
    var timer = null;
    function update(announce) {
      var used = area.value.replace(/\r\n/g, "\n").length;
      var text = used <= max
        ? left.replace("{n}", formatNumber(max - used)).replace("{max}", formatNumber(max))
        : over.replace("{n}", formatNumber(used - max)).replace("{max}", formatNumber(max));
      out.classList.toggle("char-counter--over", used > max);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(function () { out.textContent = text; }, 500);
      } else {
        out.textContent = text;
      }
    }
    out.hidden = false;
    var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(out.id) < 0) {
      described.push(out.id);
      area.setAttribute("aria-describedby", described.join(" "));
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  }

  function enhance(root) {
    var areas = (root || document).querySelectorAll("textarea[data-counter]");
    for (var i = 0; i < areas.length; i++) { setUpCounter(areas[i]); }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // After "load": a browser that scrolls to the address's #fragment (a form posted to
  // ...#discuss) does so after DOMContentLoaded and would undo an earlier focus.
  window.addEventListener("load", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.target);
    focusErrorSummary(event.target);
  });
})();
