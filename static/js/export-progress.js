// Progress of an export: polls the JSON status every 2 seconds and updates the page until the export is
// ready (then shows the download link) or failed (no inline script in pages).
(function () {
  "use strict";
  var root = document.getElementById("export-progress");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-export-status-url");
  var bar = document.getElementById("export-progress-bar");

  function show(name, visible) {
    var element = root.querySelector("[data-export-" + name + "]");
    if (element) {
      element.hidden = !visible;
    }
  }

  function text(name, value) {
    var element = root.querySelector("[data-export-" + name + "]");
    if (element) {
      element.textContent = value;
    }
  }

  function update(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    text("percent", status.progress + " %");
    text("label", status.label);
    text("count", status.count);
    if (status.download_url) {
      root.querySelector("[data-export-download]").setAttribute("href", status.download_url);
    }
    show("ready", status.status === "ready");
    show("failed", status.status === "failed");
    show("refresh", !status.finished);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status) {
          update(status);
        }
        if (!status || !status.finished) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
