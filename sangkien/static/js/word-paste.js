// Tables pasted from Word into the description (issue 8 item 11).
//
// Trix has no table model: a pasted table would be flattened into lines of
// text.  When the clipboard holds a table, the paste is taken away from Trix
// and the description becomes a plain contenteditable box holding what was
// typed so far plus the pasted HTML; the box writes into the same hidden
// input, and the server's sanitiser (sangkien/core/sanitise.py) keeps the
// table, turns Word's bullets into lists and drops everything else.
// Progressive enhancement: without JavaScript the textarea is used.
(function () {
  "use strict";
  var DROP = "script,style,meta,link,title,iframe,object,embed,img,svg,video,audio,form,input,button,textarea,select";
  var KEEP = { p: ["class", "style"], td: ["colspan", "rowspan"], th: ["colspan", "rowspan"] };

  // The pasted HTML, parsed in an inert document: no script runs, no image
  // loads; only the attributes the server may use are kept.
  function inert(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll(DROP).forEach(function (el) { el.remove(); });
    doc.body.querySelectorAll("*").forEach(function (el) {
      var keep = KEEP[el.localName] || [];
      Array.prototype.slice.call(el.attributes).forEach(function (attr) {
        if (keep.indexOf(attr.name) < 0) el.removeAttribute(attr.name);
      });
    });
    return doc.body.innerHTML;
  }

  function fallback(editor, pasted, saved) {
    var input = document.getElementById(editor.getAttribute("input"));
    var before = saved === undefined ? input.value || "" : saved;
    var box = document.createElement("div");
    box.className = "trix-content description-fallback";
    box.contentEditable = "true";
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-multiline", "true");
    box.setAttribute("aria-labelledby", editor.id + "_label");
    box.setAttribute("data-testid", "description-fallback");
    box.innerHTML = inert(before) + pasted;
    var sync = function () { input.value = box.innerHTML; };
    box.addEventListener("input", sync);
    // Trix may still write into the input (it initialises late): the box wins.
    editor.addEventListener("trix-initialize", sync);
    editor.addEventListener("trix-change", sync);
    var note = document.querySelector("[data-table-note]");
    if (note) note.hidden = false;
    if (editor.toolbarElement) editor.toolbarElement.hidden = true;
    editor.hidden = true;
    editor.insertAdjacentElement("afterend", box);
    sync();
    box.focus();
  }

  // A description that already holds a table (the edit page of a returned
  // initiative) opens in the plain box: Trix would flatten it.  The server
  // puts such a description in data-saved too, since Trix may already have
  // rewritten the hidden input (and, for a hidden input, its value attribute).
  document.querySelectorAll("trix-editor[data-saved]").forEach(function (editor) {
    var saved = editor.getAttribute("data-saved") || "";
    if (/<table[\s>]/i.test(saved)) fallback(editor, "", saved);
  });

  document.addEventListener("paste", function (event) {
    var target = event.target;
    var editor = target && target.closest ? target.closest("trix-editor") : null;
    if (!editor || !event.clipboardData) return;
    var html = event.clipboardData.getData("text/html");
    if (!html || !/<table[\s>]/i.test(html)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    fallback(editor, inert(html));
  }, true);
})();
