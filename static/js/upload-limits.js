// File inputs with data-max-size (applications/forms/attachments.py, size_limit_attrs): a file over the limit, or
// more files than data-max-files, is refused here with the server's French message next to the field, before a long
// upload that the server would refuse anyway (far above the limit it answers 413, core/middleware.py). The server
// stays the judge: without JavaScript, or with a file that changed, its own checks show the same messages.

for (const input of document.querySelectorAll("input[type=file][data-max-size]")) {
  liveRegion(input);
  input.addEventListener("change", () => check(input));
  if (input.form) {
    input.form.addEventListener("submit", (event) => {
      if (!check(input)) {
        event.preventDefault();
        input.focus();
      }
    });
  }
}

// The field's message area, empty and in the page from the start: a live region only announces the changes made
// after it is in the page (RGAA 7.5), so the message is written into it rather than added with it.
function liveRegion(input) {
  const id = `${input.id}-limit`;
  let region = document.getElementById(id);
  if (!region) {
    region = document.createElement("div");
    region.className = "fr-messages-group";
    region.id = id;
    region.setAttribute("aria-live", "polite");
    (input.closest(".fr-upload-group") || input.parentElement).append(region);
  }
  return region;
}

function problem(input) {
  const maxFiles = Number(input.dataset.maxFiles || 0);
  if (maxFiles && input.files.length > maxFiles) {
    return input.dataset.maxFilesMessage;
  }
  const maxSize = Number(input.dataset.maxSize);
  if (Array.from(input.files).some((file) => file.size > maxSize)) {
    return input.dataset.maxSizeMessage;
  }
  return "";
}

function check(input) {
  const message = problem(input);
  const group = input.closest(".fr-upload-group") || input.parentElement;
  const region = liveRegion(input);
  const id = region.id;
  region.textContent = "";
  const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter((token) => token && token !== id);
  if (message) {
    const line = document.createElement("p");
    line.className = "fr-message fr-message--error";
    line.textContent = message;
    region.append(line);
    describedBy.push(id);
    if (!group.classList.contains("fr-upload-group--error")) {
      group.classList.add("fr-upload-group--error");
      group.dataset.limitError = "1";
    }
  } else if (group.dataset.limitError) {
    group.classList.remove("fr-upload-group--error");
    delete group.dataset.limitError;
  }
  if (describedBy.length) {
    input.setAttribute("aria-describedby", describedBy.join(" "));
  } else {
    input.removeAttribute("aria-describedby");
  }
  return !message;
}
