// RGAA 13.1: before a signed-in session ends for inactivity, a DSFR dialog (templates/includes/session_timeout.html)
// offers to stay signed in. The server says how many seconds the session has left (data-seconds-left, the status
// view, the keep-alive's X-Session-Seconds-Left header); before warning, the script asks the server again, since
// another tab may have renewed the session. Tabs tell each other of a new deadline (BroadcastChannel). The countdown
// is written at most once a minute, in a polite live region.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog) {
    return;
  }
  var warningSeconds = parseInt(dialog.getAttribute("data-warning-seconds"), 10) || 120;
  var statusUrl = dialog.getAttribute("data-status-url");
  var countdown = dialog.querySelector("[data-session-countdown]");
  var keepaliveForm = dialog.querySelector("[data-session-keepalive]");
  var channel = "BroadcastChannel" in window ? new window.BroadcastChannel("ptce-session-timeout") : null;
  var deadline = 0; // this browser's clock, in milliseconds
  var timer = null;
  var ticker = null;
  var shownMinutes = null;
  var opened = false;
  var ended = false;
  var returnFocus = null;

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function modal() {
    return window.dsfr ? window.dsfr(dialog).modal : null;
  }

  function show(selector, visible) {
    dialog.querySelectorAll(selector).forEach(function (element) {
      element.hidden = !visible;
    });
  }

  function writeCountdown() {
    var minutes = Math.ceil(secondsLeft() / 60);
    if (minutes === shownMinutes) {
      return; // the live region changes at most once a minute
    }
    shownMinutes = minutes;
    countdown.textContent =
      minutes > 1
        ? dialog.getAttribute("data-text-minutes").replace("{minutes}", String(minutes))
        : dialog.getAttribute("data-text-one-minute");
  }

  function open() {
    if (!opened) {
      returnFocus = document.activeElement;
      opened = true;
      var instance = modal();
      if (instance) {
        instance.disclose();
      }
    }
  }

  function close() {
    if (!opened) {
      return;
    }
    opened = false;
    var instance = modal();
    if (instance && instance.isDisclosed) {
      instance.conceal();
    }
    restoreFocus();
  }

  function restoreFocus() {
    if (returnFocus && document.contains(returnFocus) && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    } else {
      document.getElementById("content").focus();
    }
    returnFocus = null;
  }

  function stopTimers() {
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    timer = null;
    ticker = null;
  }

  // A new deadline (this page, the server, another tab): any warning shown is stale, the timer starts again.
  function schedule(seconds) {
    if (ended) {
      return;
    }
    stopTimers();
    deadline = Date.now() + seconds * 1000;
    shownMinutes = null;
    close();
    timer = window.setTimeout(checkThenWarn, Math.max(0, seconds - warningSeconds) * 1000);
  }

  function askServer() {
    return fetch(statusUrl, {
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    });
  }

  // Before warning, and at the end: the server's word, which another tab's activity may have changed.
  function checkThenWarn() {
    askServer()
      .then(function (status) {
        if (status.seconds_left <= 0) {
          end();
        } else if (status.seconds_left > warningSeconds) {
          schedule(status.seconds_left);
        } else {
          deadline = Date.now() + status.seconds_left * 1000;
          warn();
        }
      })
      .catch(function () {
        // Unreachable server: this page's own count decides.
        if (secondsLeft() <= 0) {
          end();
        } else {
          warn();
        }
      });
  }

  function warn() {
    show("[data-session-warning]", true);
    show("[data-session-title-warning]", true);
    show("[data-session-ended], [data-session-title-ended]", false);
    writeCountdown();
    open();
    window.clearInterval(ticker);
    ticker = window.setInterval(function () {
      if (secondsLeft() <= 0) {
        window.clearInterval(ticker);
        checkThenWarn();
      } else {
        writeCountdown();
      }
    }, 1000);
  }

  function end() {
    stopTimers();
    ended = true;
    show("[data-session-warning], [data-session-title-warning]", false);
    show("[data-session-ended], [data-session-title-ended]", true);
    countdown.textContent = dialog.getAttribute("data-text-ended");
    open();
    var link = dialog.querySelector("a[data-session-ended], [data-session-ended] a");
    if (link) {
      link.focus();
    }
  }

  function announce(seconds) {
    if (channel) {
      channel.postMessage({ deadline: Date.now() + seconds * 1000 });
    }
  }

  keepaliveForm.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(keepaliveForm.action, {
      method: "POST",
      body: new FormData(keepaliveForm),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var seconds = parseInt(response.headers.get("X-Session-Seconds-Left"), 10);
        if (response.status !== 204 || !seconds) {
          end();
          return;
        }
        schedule(seconds);
        announce(seconds);
      })
      .catch(function () {
        keepaliveForm.submit(); // the page's own round trip renews the session too
      });
  });

  // Escape, the close button: DSFR conceals the dialog; focus goes back where it was.
  dialog.addEventListener("dsfr.conceal", function () {
    if (opened) {
      opened = false;
      restoreFocus();
    }
  });

  if (channel) {
    channel.addEventListener("message", function (event) {
      if (event.data && event.data.deadline) {
        schedule(Math.max(0, Math.round((event.data.deadline - Date.now()) / 1000)));
      }
    });
  }

  var initial = parseInt(dialog.getAttribute("data-seconds-left"), 10);
  if (!isNaN(initial)) {
    schedule(initial);
    announce(initial); // this page's load renewed the session: other tabs' warnings are stale
  }
})();
