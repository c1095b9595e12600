// Progressive enhancement of the guided dossier form: nothing typed is ever lost.
// - autosave: a step form (data-autosave-key) is posted in the background 2 s after the last change;
//   the server saves the valid fields and answers with the step's new fingerprint (see views/steps.py);
// - a copy of what is typed is kept in this browser (localStorage) until the server has it, and offered
//   back when the page is opened again;
// - leaving the page with unsaved changes asks for confirmation;
// - long texts show how many characters are left.
// Without JavaScript the form works the same, with its "Enregistrer" buttons.

// The texts come from the page, in its language (templates/applications/dossier_step_base.html); {name} is filled in.
const TEXTS = document.getElementById("dossier-form-texts")?.dataset || {};
const LOCALE = document.documentElement.lang === "en" ? "en-GB" : "fr-FR";

function text(name, values = {}) {
  return (TEXTS[name] || "").replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

const AUTOSAVE_DELAY = 2000;
const RETRY_DELAY = 15000;

const form = document.querySelector("form[data-dossier-form]");
if (form) {
  enhance(form);
}

function enhance(form) {
  const storageKey = form.dataset.autosaveKey ? `ptce-brouillon:${form.dataset.autosaveKey}` : null;
  const status = form.querySelector("[data-autosave-status]");
  const fingerprint = form.querySelector("input[name='fingerprint']");
  const state = { dirty: false, changes: 0, submitting: false, conflict: false, timer: null, inflight: null };

  addCounters(form);
  if (storageKey) {
    offerRestore(form, storageKey, status);
  }

  const onChange = (event) => {
    if (event.target.type === "file" || !event.target.name) {
      return;
    }
    state.dirty = true;
    state.changes += 1;
    if (storageKey) {
      backup(form, storageKey);
      scheduleAutosave();
    }
  };
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);

  form.addEventListener("submit", (event) => {
    clearTimeout(state.timer);
    if (state.inflight) {
      // Let the background save finish first, so that the fingerprint sent is the latest one.
      event.preventDefault();
      const submitter = event.submitter;
      state.inflight.finally(() => form.requestSubmit(submitter));
      return;
    }
    state.submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (state.dirty && !state.submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function scheduleAutosave(delay = AUTOSAVE_DELAY) {
    if (state.conflict) {
      return;
    }
    clearTimeout(state.timer);
    state.timer = setTimeout(autosave, delay);
  }

  async function autosave() {
    if (state.inflight || state.submitting) {
      return;
    }
    const changesSent = state.changes;
    const body = new FormData(form);
    for (const input of form.querySelectorAll("input[type='file']")) {
      body.delete(input.name);
    }
    say(status, text("saving"));
    state.inflight = fetch(form.action || window.location.href, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then((response) => response.json().then((payload) => ({ response, payload })))
      .then(({ response, payload }) => handleAnswer(response, payload, changesSent))
      .catch(() => {
        say(status, text("lost"));
        scheduleAutosave(RETRY_DELAY);
      })
      .finally(() => {
        state.inflight = null;
      });
  }

  function handleAnswer(response, payload, changesSent) {
    if (payload.status === "saved") {
      if (fingerprint && payload.fingerprint) {
        fingerprint.value = payload.fingerprint;
      }
      if (state.changes === changesSent) {
        state.dirty = false;
        forget(storageKey);
      }
      const invalid = Object.keys(payload.errors || {}).length;
      say(
        status,
        invalid
          ? text("savedPartly", { when: payload.saved_at, count: invalid })
          : text("saved", { when: payload.saved_at }),
      );
      return;
    }
    if (payload.status === "conflict") {
      state.conflict = true;
      say(status, `${payload.message} ${text("compare")}`, true);
      return;
    }
    say(status, payload.message || text("failed"), true);
    if (response.status >= 500) {
      scheduleAutosave(RETRY_DELAY);
    }
  }
}

function say(status, message, alert = false) {
  if (!status) {
    return;
  }
  status.textContent = message;
  status.classList.toggle("fr-error-text", alert);
}

// Local copy --------------------------------------------------------------------------------------------

function fieldValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name || element.type === "file" || element.type === "hidden" || element.type === "submit") {
      continue;
    }
    if (element.type === "checkbox" || element.type === "radio") {
      values[`${element.name}=${element.value}`] = element.checked;
    } else {
      values[element.name] = element.value;
    }
  }
  return values;
}

function backup(form, key) {
  try {
    window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: fieldValues(form) }));
  } catch {
    // Storage full or disabled: the server copy still works.
  }
}

function forget(key) {
  try {
    if (key) {
      window.localStorage.removeItem(key);
    }
  } catch {
    // Nothing to forget.
  }
}

function readBackup(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function offerRestore(form, key, status) {
  const saved = readBackup(key);
  if (!saved) {
    return;
  }
  const current = fieldValues(form);
  const differs = Object.entries(saved.values).some(([name, value]) => name in current && current[name] !== value);
  if (!differs) {
    forget(key);
    return;
  }
  const when = new Date(saved.at).toLocaleString(LOCALE, { dateStyle: "long", timeStyle: "short" });
  const notice = document.createElement("div");
  notice.className = "fr-alert fr-alert--info fr-mb-3w";
  notice.setAttribute("role", "status");
  notice.innerHTML = `
    <h3 class="fr-alert__title" data-found></h3>
    <p data-found-when></p>
    <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm fr-mt-1w">
      <li><button type="button" class="fr-btn fr-btn--sm" data-restore></button></li>
      <li><button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" data-discard></button></li>
    </ul>`;
  notice.querySelector("[data-found]").textContent = text("found");
  notice.querySelector("[data-found-when]").textContent = text("foundWhen", { when });
  notice.querySelector("[data-restore]").textContent = text("restore");
  notice.querySelector("[data-discard]").textContent = text("discard");
  form.prepend(notice);
  notice.querySelector("[data-restore]").addEventListener("click", () => {
    restore(form, saved.values);
    notice.remove();
    form.dispatchEvent(new Event("input", { bubbles: true }));
    say(status, text("restored"));
  });
  notice.querySelector("[data-discard]").addEventListener("click", () => {
    forget(key);
    notice.remove();
  });
}

function restore(form, values) {
  for (const element of form.elements) {
    if (!element.name) {
      continue;
    }
    if (element.type === "checkbox" || element.type === "radio") {
      const key = `${element.name}=${element.value}`;
      if (key in values) {
        element.checked = values[key];
      }
    } else if (element.name in values && element.type !== "file" && element.type !== "hidden") {
      element.value = values[element.name];
    }
  }
}

// Character counters ------------------------------------------------------------------------------------

function addCounters(form) {
  const format = new Intl.NumberFormat(LOCALE);
  for (const area of form.querySelectorAll("textarea[maxlength]")) {
    const limit = Number(area.getAttribute("maxlength"));
    const counter = document.createElement("p");
    counter.className = "fr-hint-text fr-mt-1v";
    counter.id = `${area.id}-counter`;
    const update = () => {
      counter.textContent = text("characters", { count: format.format(area.value.length), limit: format.format(limit) });
    };
    update();
    area.addEventListener("input", update);
    area.insertAdjacentElement("afterend", counter);
  }
}
