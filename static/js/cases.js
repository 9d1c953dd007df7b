/* cases: optional enhancement of the "leave this site quickly" control. Without JavaScript the link
   still works; with it, the current page is replaced in history so Back does not return here, and the
   Escape key pressed three times leaves too. */
(function () {
  "use strict";
  function leave(event) {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    try { document.body.textContent = ""; } catch (e) { /* ignore */ }
    window.location.replace(link.getAttribute("href"));
  }
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest && event.target.closest("[data-quick-exit]");
    if (target) { leave(event); }
  });
  var presses = 0, timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1200);
    if (presses >= 3) { leave(); }
  });
})();
