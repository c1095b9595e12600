// Accessibility fixes for Django's admin (issue 14), loaded by templates/admin/base_site.html.
//
// The "filter" icons that SelectFilter2.js adds to the two lists of a filter_horizontal field are spans carrying an
// aria-label, which ARIA forbids on an element without a role: they are given role="img". They are added on the
// window's load event, after this script runs, hence the observer.
(function () {
  "use strict";

  function fixTooltips(root) {
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (span) {
      span.setAttribute("role", "img");
    });
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          fixTooltips(node.parentNode || node);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
