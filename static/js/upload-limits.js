// File inputs with data-max-size (applications/forms/attachments.py, size_limit_attrs): a file over the limit, or
// more files than data-max-files, is refused here with the server's French message next to the field, before a long
// upload that the server would refuse anyway (far above the limit it answers 413, core/middleware.py). The server
// stays the judge: without JavaScript, or with a file that changed, its own checks show the same messages.

for (const input of document.querySelectorAll("input[type=file][data-max-size]")) {
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
  const id = `${input.id}-limit`;
  document.getElementById(id)?.remove();
  const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter((token) => token && token !== id);
  if (message) {
    const messages = document.createElement("div");
    messages.className = "fr-messages-group";
    messages.id = id;
    messages.setAttribute("aria-live", "polite");
    const line = document.createElement("p");
    line.className = "fr-message fr-message--error";
    line.textContent = message;
    messages.append(line);
    group.append(messages);
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
