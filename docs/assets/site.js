// Accessibility fixes the theme leaves to the site (checked by tests/test_site_a11y.py).
(function () {
  function fix() {
    // Material's search panel is a dialog without a name: screen readers announce "dialog"
    document.querySelectorAll(".md-search[role='dialog']:not([aria-label])").forEach(
      function (dialog) { dialog.setAttribute("aria-label", "Search this site"); });
    // a region that scrolls sideways (wide table, notebook cell) must be reachable by keyboard
    document.querySelectorAll(".md-typeset__scrollwrap, .highlight-ipynb, .jp-OutputArea-output")
      .forEach(function (region) {
        if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
          region.setAttribute("tabindex", "0");
          if (!region.hasAttribute("aria-label")) {
            region.setAttribute("role", "region");
            region.setAttribute("aria-label", region.closest(".md-typeset__scrollwrap")
              ? "Table, scrolls sideways" : "Code, scrolls sideways");
          }
        }
      });
  }
  if (typeof document$ !== "undefined") document$.subscribe(fix);
  else document.addEventListener("DOMContentLoaded", fix);
})();
