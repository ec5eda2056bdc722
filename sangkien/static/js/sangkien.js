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
  // "Bạn đang gửi cho: …" follows a plain <select data-confirm-select> (entry on behalf); the
  // member's chooser replaces the line itself (htmx, hx-swap-oob).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-confirm-select]")) return;
    var box = document.getElementById("unit-confirm");
    if (!box) return;
    var option = select.options[select.selectedIndex];
    var chosen = !!(option && option.value);
    box.querySelector("[data-confirm-chosen]").hidden = !chosen;
    box.querySelector("[data-confirm-none]").hidden = chosen;
    if (chosen) {
      box.querySelector("[data-confirm-unit]").textContent = option.dataset.name || option.textContent;
      box.querySelector("[data-confirm-above]").textContent = option.dataset.above ? " " + option.dataset.above : "";
    }
  });
  // One tap to change the unit: bring the chooser into view, focus it and open its list.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-change-unit]");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
    if (typeof target.showPicker === "function") {
      try { target.showPicker(); } catch (e) { /* not allowed here: focus is enough */ }
    }
  });
  // The similar-initiatives panel (htmx) asks the server only once title + description hold
  // data-min-words words: before that the server would only answer the hint the panel already
  // shows, and a member on a cheap phone pays for every request (issue 12).  Words are counted
  // generously (tags and entities count as spaces), so a text the server would compare is sent.
  document.addEventListener("htmx:confirm", function (event) {
    var panel = event.detail.elt;
    if (!panel || panel.id !== "similar-panel" || !panel.dataset.minWords) return;
    if (!panel.querySelector(".similar-hint")) return;  // a list is shown: let the server update it
    var title = document.getElementById("id_title");
    var description = document.getElementById("id_description");
    var text = (title ? title.value : "") + " " +
      (description ? description.value.replace(/<[^>]*>|&[#0-9a-zA-Z]+;/g, " ") : "");
    var words = text.split(/\s+/).filter(function (word) { return word; }).length;
    if (words < Number(panel.dataset.minWords)) event.preventDefault();
  });
  // Trix: no file attachments inside the description (files go to the attachments field).
  document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
})();
