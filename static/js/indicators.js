/* indicators: tell the user when an autosave did not reach the server. The form keeps what was typed; the
   plain Save button still works. No inline scripts (CSP). */
(function () {
  "use strict";
  function statusFor(event) {
    var el = event.detail && event.detail.elt;
    var article = el && el.closest ? el.closest("article.indicator") : null;
    return article ? article.querySelector(".save-status") : null;
  }
  function warn(event, text) {
    var status = statusFor(event);
    if (!status) { return; }
    status.textContent = "";
    var span = document.createElement("span");
    span.className = "issue issue-error";
    span.textContent = text;
    status.appendChild(span);
  }
  document.addEventListener("htmx:sendError", function (event) {
    var status = statusFor(event);
    warn(event, (status && status.getAttribute("data-msg-offline")) || "Not saved: the server could not be reached.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = statusFor(event);
    var code = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    warn(event, ((status && status.getAttribute("data-msg-error")) || "Not saved.") + " (" + code + ")");
  });
  // Leaving the page while an autosave is in flight would lose it: ask first.
  var pending = 0;
  document.addEventListener("htmx:beforeRequest", function () { pending += 1; });
  document.addEventListener("htmx:afterRequest", function () { pending = Math.max(0, pending - 1); });
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) { event.preventDefault(); event.returnValue = ""; }
  });
})();
