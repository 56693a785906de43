// MathJax 3 configuration; the library itself is assets/mathjax/tex-chtml-full.js,
// copied from the django-static-mathjax package by hooks/serve_mathjax.py (no CDN).
window.MathJax = {
  tex: {
    // pages: pymdownx.arithmatex writes \( \) and \[ \] inside .arithmatex elements;
    // notebook markdown cells (jp-RenderedMarkdown) keep Jupyter's $ and $$.
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams"  // numbered equation and align rows, \label and \eqref
  },
  options: {
    // skip everything that has a class, except math and notebook markdown; ".+" (not ".*|")
    // so that class-less paragraphs inside notebook cells are still searched
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown"
  }
};

// With instant navigation, Material swaps page content without reloading; re-typeset then.
// The first emission is the initial page load, which MathJax typesets itself: clearing the
// output cache at that moment would delete the glyph CSS and leave invisible math.
if (typeof document$ !== "undefined") {
  let first = true;
  document$.subscribe(() => {
    if (first) { first = false; return; }
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise().then(function () { window.nnscratchFitEquations(); });
  });
}

// Phones: a display equation wider than its column is scaled down to fit, equation number
// included, but never below MIN_SCALE (smaller than that is unreadable): an equation that
// still does not fit must be split across lines on its page, and the browser tests say so.
(function () {
  var MIN_SCALE = 0.6;
  function fit() {
    document.querySelectorAll("mjx-container[display]").forEach(function (eq) {
      eq.style.fontSize = "";
      var column = eq.parentElement.clientWidth, scale = 1;
      // not every part of the layout scales with the font: measure again, a few times
      for (var tries = 0; tries < 4 && column > 0 && eq.scrollWidth > column; tries++) {
        if (scale <= MIN_SCALE) break;
        scale = Math.max(MIN_SCALE, Math.floor(1000 * scale * column / eq.scrollWidth) / 1000);
        eq.style.fontSize = (100 * scale).toFixed(1) + "%";
      }
    });
  }
  var pending = null;
  function later() {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () { pending = null; fit(); });
  }
  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fit);
    }
  });
  window.addEventListener("resize", later);
  window.nnscratchFitEquations = fit;  // for the browser tests and instant navigation
})();
