// The dashboard's theme: the system's (prefers-color-scheme) unless this browser picked
// light or dark with the rail's switch. Loaded in <head>, before the page paints.
(function () {
  "use strict";
  var KEY = "porchlight:theme";
  var ORDER = ["", "light", "dark"]; // "" follows the system
  var NAMES = { "": "System", light: "Light", dark: "Dark" };
  var root = document.documentElement;

  function saved() {
    try {
      var value = localStorage.getItem(KEY) || "";
      return ORDER.indexOf(value) >= 0 ? value : "";
    } catch (e) {
      return "";
    }
  }

  function apply(theme) {
    if (theme) root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
    var button = document.getElementById("theme-switch");
    if (!button) return;
    var next = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
    button.setAttribute("data-mode", theme || "system");
    button.setAttribute("aria-label", "Theme: " + NAMES[theme] + ". Switch to " + NAMES[next]);
    button.title = "Theme: " + NAMES[theme] + " (switch to " + NAMES[next].toLowerCase() + ")";
  }

  apply(saved());
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-switch");
    if (!button) return;
    apply(saved());
    button.addEventListener("click", function () {
      var theme = ORDER[(ORDER.indexOf(saved()) + 1) % ORDER.length];
      try {
        if (theme) localStorage.setItem(KEY, theme);
        else localStorage.removeItem(KEY);
      } catch (e) {
        /* storage refused: the choice lasts for this page */
      }
      apply(theme);
    });
  });
})();
