// Loaded on the print page only (hooks/print_edition.py puts it right after the MathJax
// configuration). Each page of the site numbers its equations from (1) and keeps its own
// \label names, so "(7)" in a listing's comment means the same equation in the PDF as on
// the site: the sections are typeset one by one, with MathJax's numbering reset before each.
window.MathJax.startup = Object.assign(window.MathJax.startup || {}, {
  pageReady() {
    // one section per page of the site; a navigation section only contains pages
    const sections = document.querySelectorAll(
      "#print-site-page section.print-page[id]:not(.md-section)");
    let chain = Promise.resolve();
    sections.forEach((section) => {
      chain = chain.then(() => {
        MathJax.texReset();
        return MathJax.typesetPromise([section]);
      });
    });
    // tools/build_pdf.py waits for this mark before printing
    return chain.then(() => { document.documentElement.dataset.printReady = "true"; });
  }
});
