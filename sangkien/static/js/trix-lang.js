/*
 * The editor's toolbar in the page's language (issue 8, item 11).
 *
 * Trix builds its toolbar from Trix.config.lang, which holds English labels.
 * The translated labels are in the page, in the JSON script tag
 * <script id="trix-lang" type="application/json"> (rendered by the
 * {% trix_lang %} template tag from the translation catalogue).
 *
 * Load this file before trix.umd.min.js (both `defer`, so in order): it
 * watches window.Trix being set and copies the labels into Trix.config.lang
 * in that same instant, before Trix defines <trix-toolbar> (on a later timer)
 * and so before any toolbar is drawn.
 */
(function () {
  "use strict";

  function labels() {
    var node = document.getElementById("trix-lang");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function apply(trix) {
    var lang = labels();
    if (trix && trix.config && trix.config.lang && lang) {
      Object.keys(lang).forEach(function (key) { trix.config.lang[key] = lang[key]; });
    }
    return trix;
  }

  if (window.Trix) {  // loaded after Trix by mistake: still translate what is not drawn yet
    apply(window.Trix);
    return;
  }
  var current;
  Object.defineProperty(window, "Trix", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) {
      // The first assignment is Trix itself: translate it, then become a plain property again.
      current = apply(value);
      Object.defineProperty(window, "Trix", {
        configurable: true, enumerable: true, writable: true, value: current
      });
    }
  });
})();
