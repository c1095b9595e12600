// Progressive enhancement of the DSFR table formsets (templates/dsfr/table_inline_formset.html): a button
// data-formset-add="<prefix>" adds an empty row to the table in the page, from the formset's <template>, and puts
// the focus in it. Without JavaScript the same button posts the form and the server adds the row.

for (const button of document.querySelectorAll("button[data-formset-add]")) {
  button.addEventListener("click", (event) => {
    const prefix = button.dataset.formsetAdd;
    const template = document.getElementById(`${prefix}-empty-form`);
    const total = document.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const body = document.querySelector(`#${prefix}-table tbody`);
    if (!template || !total || !body) {
      return;
    }
    event.preventDefault();
    const index = Number(total.value);
    const row = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__row__", String(index + 1));
    body.insertAdjacentHTML("beforeend", row);
    total.value = String(index + 1);
    body.lastElementChild.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  });
}
