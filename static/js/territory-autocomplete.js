/*
 * Territory autocomplete (territories/widgets.py): turns the plain text input of codes into an accessible
 * combobox (WAI-ARIA 1.2 "list autocomplete" pattern) with chosen places shown as DSFR dismissible tags.
 *
 * Without this script the input keeps its name and the user types codes separated by commas. With it, the
 * visible input loses its name (it only searches) and each chosen place travels in a hidden input of the
 * field's name; an empty hidden input of that name is always present so that removing every place is sent too.
 * Keys: ArrowDown / ArrowUp move in the suggestions, Enter chooses, Escape closes (or clears the search).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_LENGTH = 2;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function TerritoryAutocomplete(root) {
    this.root = root;
    this.input = root.querySelector("input.fr-input");
    this.listbox = root.querySelector("[role=listbox]");
    this.status = root.querySelector("[role=status]");
    this.tags = root.querySelector(".territory-autocomplete__tags");
    this.name = root.dataset.name;
    this.multiple = root.dataset.multiple === "true";
    this.results = [];
    this.activeIndex = -1;
    this.timer = null;
    this.controller = null;
    this.enhance();
  }

  TerritoryAutocomplete.prototype.message = function (key, values) {
    return format(this.root.dataset["msg" + key] || "", values || {});
  };

  TerritoryAutocomplete.prototype.enhance = function () {
    var input = this.input;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    input.removeAttribute("name");
    // The search box stays empty once places are chosen: the browser must not block the form for it.
    if (input.required) {
      input.required = false;
      input.setAttribute("aria-required", "true");
    }
    input.value = this.root.dataset.pending || "";
    var sentinel = document.createElement("input");
    sentinel.type = "hidden";
    sentinel.name = this.name;
    sentinel.value = "";
    this.root.appendChild(sentinel);
    Array.prototype.forEach.call(this.tags.querySelectorAll("button[data-id]"), function (button) {
      this.wireTag(button.parentElement, button.dataset.id, button.textContent.trim());
    }, this);
    this.refreshTags();
    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", this.close.bind(this));
    this.root.classList.add("territory-autocomplete--enhanced");
  };

  // Search -------------------------------------------------------------------------------------------------

  TerritoryAutocomplete.prototype.onInput = function () {
    window.clearTimeout(this.timer);
    if (this.input.value.trim().length < MIN_LENGTH) {
      this.abort();
      this.close();
      return;
    }
    this.timer = window.setTimeout(this.search.bind(this), DEBOUNCE_MS);
  };

  TerritoryAutocomplete.prototype.abort = function () {
    if (this.controller) {
      this.controller.abort();
      this.controller = null;
    }
  };

  TerritoryAutocomplete.prototype.search = function () {
    var self = this;
    var query = this.input.value.trim();
    var params = new URLSearchParams({ q: query, kinds: this.root.dataset.kinds });
    this.abort();
    this.controller = new AbortController();
    fetch(this.root.dataset.url + "?" + params.toString(), {
      signal: this.controller.signal,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        // A late answer to an older query is ignored.
        if (self.input.value.trim() === query) self.show(data.results);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") self.announce(self.message("Error"));
      });
  };

  // Listbox ------------------------------------------------------------------------------------------------

  TerritoryAutocomplete.prototype.show = function (results) {
    var chosen = this.chosenIds();
    this.results = results.filter(function (result) {
      return chosen.indexOf(result.id) === -1;
    });
    this.listbox.textContent = "";
    this.results.forEach(this.renderOption, this);
    this.activeIndex = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.listbox.hidden = this.results.length === 0;
    this.input.setAttribute("aria-expanded", String(this.results.length > 0));
    this.announceCount(this.results.length);
  };

  TerritoryAutocomplete.prototype.renderOption = function (result, index) {
    var option = document.createElement("li");
    option.id = this.listbox.id + "-" + index;
    option.className = "territory-autocomplete__option";
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    var label = document.createElement("span");
    label.className = "territory-autocomplete__label";
    label.textContent = result.label;
    option.appendChild(label);
    if (result.detail) {
      var detail = document.createElement("span");
      detail.className = "territory-autocomplete__detail";
      detail.textContent = result.detail;
      option.appendChild(detail);
    }
    // mousedown would blur the input (and close the listbox) before the click lands.
    option.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    option.addEventListener("click", this.choose.bind(this, index));
    this.listbox.appendChild(option);
  };

  TerritoryAutocomplete.prototype.isOpen = function () {
    return !this.listbox.hidden;
  };

  TerritoryAutocomplete.prototype.close = function () {
    this.listbox.hidden = true;
    this.activeIndex = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  TerritoryAutocomplete.prototype.move = function (step) {
    var count = this.results.length;
    if (!count) return;
    if (!this.isOpen()) {
      this.listbox.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }
    if (this.activeIndex === -1) this.activeIndex = step > 0 ? 0 : count - 1;
    else this.activeIndex = (this.activeIndex + step + count) % count;
    Array.prototype.forEach.call(this.listbox.children, function (option, index) {
      option.setAttribute("aria-selected", String(index === this.activeIndex));
    }, this);
    var active = this.listbox.children[this.activeIndex];
    this.input.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  };

  TerritoryAutocomplete.prototype.onKeydown = function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && this.isOpen() && this.activeIndex >= 0) {
      event.preventDefault();
      this.choose(this.activeIndex);
    } else if (event.key === "Escape") {
      if (this.isOpen()) {
        event.preventDefault();
        this.close();
      } else {
        this.input.value = "";
      }
    }
  };

  // Tags ---------------------------------------------------------------------------------------------------

  TerritoryAutocomplete.prototype.choose = function (index) {
    var result = this.results[index];
    if (!result) return;
    if (!this.multiple) this.tags.textContent = "";
    this.addTag(result.id, result.label);
    this.input.value = "";
    this.results = [];
    this.close();
    this.announce(this.message("Added", { label: result.label }));
    this.input.focus();
  };

  TerritoryAutocomplete.prototype.addTag = function (id, label) {
    if (this.chosenIds().indexOf(id) !== -1) return;
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fr-tag fr-tag--dismiss";
    button.dataset.id = id;
    button.textContent = label;
    button.setAttribute("aria-label", this.message("Remove", { label: label }));
    item.appendChild(button);
    this.tags.appendChild(item);
    this.wireTag(item, id, label);
    this.refreshTags();
  };

  TerritoryAutocomplete.prototype.wireTag = function (item, id, label) {
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = this.name;
    hidden.value = id;
    item.appendChild(hidden);
    item.querySelector("button").addEventListener("click", this.removeTag.bind(this, item, label));
  };

  TerritoryAutocomplete.prototype.removeTag = function (item, label) {
    item.remove();
    this.refreshTags();
    this.announce(this.message("Removed", { label: label }));
    this.input.focus();
  };

  TerritoryAutocomplete.prototype.refreshTags = function () {
    this.tags.hidden = this.tags.children.length === 0;
  };

  TerritoryAutocomplete.prototype.chosenIds = function () {
    return Array.prototype.map.call(this.tags.querySelectorAll("button[data-id]"), function (button) {
      return button.dataset.id;
    });
  };

  // Live region --------------------------------------------------------------------------------------------

  TerritoryAutocomplete.prototype.announceCount = function (count) {
    if (count === 0) this.announce(this.message("None"));
    else if (count === 1) this.announce(this.message("One"));
    else this.announce(this.message("Many", { count: count }));
  };

  TerritoryAutocomplete.prototype.announce = function (text) {
    this.status.textContent = text;
  };

  function initAll(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("[data-territory-autocomplete]"), function (root) {
      if (!root.territoryAutocomplete) root.territoryAutocomplete = new TerritoryAutocomplete(root);
    });
  }

  window.TerritoryAutocomplete = { init: initAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll();
    });
  } else {
    initAll();
  }
})();
