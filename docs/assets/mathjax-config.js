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
    MathJax.typesetPromise();
  });
}
