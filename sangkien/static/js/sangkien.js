// sangkien: progressive enhancements only; every page works without it.
(function () {
  "use strict";
  // A double click sends a form once: disable its buttons after the first submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once")) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); b.disabled = true; });
    }, 0);
  });
  // Print buttons on posters.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  // Trix: no file attachments inside the description (files go to the attachments field).
  document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
})();
