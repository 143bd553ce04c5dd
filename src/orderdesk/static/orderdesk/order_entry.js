// The order entry form: add and remove lines, the product lookup, filling the header from the
// chosen customer, and asking the server to reprice the lines as the user types. Without
// JavaScript the form still works: "Recalculate" and "Find" post the form and the page comes
// back priced.
(function () {
  "use strict";

  const form = document.getElementById("order-entry");
  if (!form) {
    return;
  }
  document.documentElement.classList.add("js");

  const lines = document.getElementById("entry-lines");
  const template = document.getElementById("entry-line-template");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const quoteUrl = form.dataset.quoteUrl;
  const lookupUrl = form.dataset.productLookupUrl;
  const ROW_NAME = /lines-(\d+|__prefix__)-/;
  const ROW_ID = /^line-(\d+|__prefix__)-/;

  // --- repricing ---------------------------------------------------------------------------
  // The server answers with the summary, each line's priced cells (inside a <template>, by
  // id) and the checklist. They are put in place here rather than by htmx out-of-band swaps:
  // a 200-line order has 1,000 cells, which htmx swaps one by one (seconds), this in a
  // few milliseconds. A newer request aborts an older one, so a slow answer never wins.
  let quoteTimer = null;
  let quoteController = null;

  function requote(delay) {
    window.clearTimeout(quoteTimer);
    quoteTimer = window.setTimeout(sendQuote, delay === undefined ? 400 : delay);
  }

  function sendQuote() {
    if (quoteController) {
      quoteController.abort();
    }
    const controller = new AbortController();
    quoteController = controller;
    const token = form.querySelector("input[name='csrfmiddlewaretoken']");
    fetch(quoteUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true", "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        if (quoteController === controller) {
          applyQuote(html);
        }
      })
      .catch(() => {});
  }

  function applyQuote(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html;
    const answer = holder.content;
    answer.querySelectorAll("template").forEach((cells) => {
      cells.content.querySelectorAll("td[id]").forEach((cell) => {
        const current = document.getElementById(cell.id);
        if (current) {
          current.className = cell.className;
          current.replaceChildren(...cell.childNodes);
        }
      });
      cells.remove();
    });
    const checklist = answer.querySelector("#entry-checklist");
    const shown = document.getElementById("entry-checklist");
    if (checklist && shown) {
      checklist.removeAttribute("hx-swap-oob");
      shown.replaceWith(checklist);
    }
    document.getElementById("entry-summary").replaceChildren(answer);
  }

  function quotable(element) {
    return element && element.name && !element.closest("[data-no-quote]") && !element.hasAttribute("data-no-quote");
  }

  form.addEventListener("input", (event) => {
    if (quotable(event.target)) {
      requote();
    }
  });
  // Text fields reprice on "input"; lists and date pickers only report "change".
  form.addEventListener("change", (event) => {
    const target = event.target;
    const picked = target instanceof HTMLSelectElement
      || (target instanceof HTMLInputElement && /^(date|datetime-local|checkbox|radio)$/.test(target.type));
    if (picked && quotable(target)) {
      requote(150);
    }
  });

  // --- rows ----------------------------------------------------------------------------------
  function renumber() {
    const rows = lines.querySelectorAll("tr.line");
    rows.forEach((row, index) => {
      row.dataset.row = String(index);
      const number = row.querySelector(".rowno");
      if (number) {
        number.textContent = String(index + 1);
      }
      row.querySelectorAll("[name], [id], label[for]").forEach((element) => {
        ["name", "id", "for"].forEach((attribute) => {
          const value = element.getAttribute(attribute);
          if (!value) {
            return;
          }
          let renamed = value.replace(ROW_NAME, `lines-${index}-`);
          renamed = renamed.replace(ROW_ID, `line-${index}-`);
          if (renamed !== value) {
            element.setAttribute(attribute, renamed);
          }
        });
      });
    });
    total.value = String(rows.length);
  }

  function addRow(focus) {
    const fragment = template.content.cloneNode(true);
    lines.appendChild(fragment);
    renumber();
    const row = lines.querySelector("tr.line:last-child");
    if (focus && row) {
      row.querySelector(".sku-input").focus();
    }
    return row;
  }

  form.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    if (target.closest("[data-add-row]")) {
      event.preventDefault();
      addRow(true);
      return;
    }
    const remove = target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      remove.closest("tr.line").remove();
      if (!lines.querySelector("tr.line")) {
        addRow(false);
      }
      renumber();
      requote(0);
      return;
    }
    const pick = target.closest("[data-pick-sku]");
    if (pick) {
      event.preventDefault();
      pickProduct(pick);
    }
  });

  // --- product lookup --------------------------------------------------------------------------
  let lookupTimer = null;
  let lookupRequest = 0;

  function resultsOf(input) {
    return input.closest(".sku-cell").querySelector(".lookup-results");
  }

  function closeLookup(box) {
    box.hidden = true;
    box.innerHTML = "";
  }

  function closeAllLookups(except) {
    form.querySelectorAll(".lookup-results").forEach((box) => {
      if (box !== except && !box.hidden) {
        closeLookup(box);
      }
    });
  }

  function lookUp(input) {
    const box = resultsOf(input);
    const q = input.value.trim();
    if (q.length < 1) {
      closeLookup(box);
      return;
    }
    const customer = form.querySelector("input[name='customer_id']");
    const params = new URLSearchParams({ q: q, customer_id: customer ? customer.value : "" });
    const request = ++lookupRequest;
    fetch(`${lookupUrl}?${params}`, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (request !== lookupRequest || document.activeElement !== input) {
          return;
        }
        closeAllLookups(box);
        box.innerHTML = html;
        box.hidden = !html.trim();
      })
      .catch(() => closeLookup(box));
  }

  function pickProduct(option) {
    const cell = option.closest(".sku-cell");
    const input = cell.querySelector(".sku-input");
    input.value = option.dataset.pickSku;
    closeLookup(cell.querySelector(".lookup-results"));
    const quantity = cell.closest("tr.line").querySelector("input[name$='-quantity']");
    if (quantity) {
      quantity.focus();
      quantity.select();
    }
    requote(0);
  }

  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("sku-input")) {
      window.clearTimeout(lookupTimer);
      lookupTimer = window.setTimeout(() => lookUp(input), 250);
    }
  });

  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    const cell = target.closest(".sku-cell");
    const box = cell ? cell.querySelector(".lookup-results") : null;
    if (box && !box.hidden) {
      const options = Array.from(box.querySelectorAll(".lookup-option"));
      const current = options.indexOf(box.querySelector(".lookup-option.active"));
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const next = event.key === "ArrowDown"
          ? Math.min(current + 1, options.length - 1)
          : Math.max(current - 1, 0);
        options.forEach((option, index) => option.classList.toggle("active", index === next));
        if (options[next]) {
          options[next].scrollIntoView({ block: "nearest" });
        }
        return;
      }
      if (event.key === "Enter" && options.length) {
        event.preventDefault();
        pickProduct(options[current >= 0 ? current : 0]);
        return;
      }
      if (event.key === "Escape") {
        closeLookup(box);
        return;
      }
    }
    // Enter in a field reprices instead of submitting the form; in the last line's SKU it
    // also opens a new line, so a long order can be typed without the mouse.
    if (event.key === "Enter" && target instanceof HTMLInputElement && target.type !== "submit") {
      event.preventDefault();
      if (target.id === "customer-q") {
        return;
      }
      requote(0);
      const row = target.closest("tr.line");
      if (row && row === lines.querySelector("tr.line:last-child") && target.value.trim()) {
        addRow(true);
      }
    }
  });

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(".sku-cell")) {
      closeAllLookups(null);
    }
  });

  // --- customer ----------------------------------------------------------------------------------
  function fillFromCustomer() {
    const data = document.getElementById("entry-customer-defaults");
    if (!data) {
      return;
    }
    let defaults = {};
    try {
      defaults = JSON.parse(data.textContent || "{}");
    } catch (error) {
      return;
    }
    Object.entries(defaults).forEach(([name, value]) => {
      const field = form.elements.namedItem(name);
      if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement || field instanceof HTMLTextAreaElement)) {
        return;
      }
      // Only empty fields: what the user typed wins over the customer's defaults.
      if (!field.value || (name === "contact_id")) {
        field.value = value;
      }
    });
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail && event.detail.target;
    if (target && target.id === "entry-customer") {
      const search = document.getElementById("customer-q");
      const results = document.getElementById("customer-results");
      if (search) {
        search.value = "";
      }
      if (results) {
        results.innerHTML = "";
      }
      fillFromCustomer();
      requote(0);
    }
  });

  form.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-contact-select")) {
      return;
    }
    const option = select.selectedOptions[0];
    if (!option || !option.value) {
      return;
    }
    const name = form.elements.namedItem("contact_name");
    const phone = form.elements.namedItem("contact_phone");
    if (name instanceof HTMLInputElement) {
      name.value = option.dataset.name || "";
    }
    if (phone instanceof HTMLInputElement && option.dataset.phone) {
      phone.value = option.dataset.phone;
    }
  });
})();
