// Focus management shared by every page (loaded by templates/base.html).
// - A form sent back with errors shows an error summary (templates/dsfr/parts/error_summary.html): the focus is put
//   on it when the page loads, so that a screen reader reads it first and a keyboard user starts from it.
// - A link of the summary puts the focus in its field (a fragment link alone only scrolls), and shows the field's
//   label or legend above it, as the GOV.UK and DSFR error summaries do.

const summary = document.querySelector("[data-error-summary]");
if (summary) {
  summary.focus();
}

for (const link of document.querySelectorAll("[data-error-summary] a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    const caption = target.closest("fieldset")?.querySelector("legend") || target.labels?.[0] || target;
    caption.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    history.replaceState(null, "", link.hash);
  });
}
