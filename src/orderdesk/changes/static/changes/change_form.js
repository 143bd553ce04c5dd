// The change request form: "Add line" (a new row from the template) and the product lookup
// on the SKU inputs (the order entry form's lookup: /orders/entry/product-lookup/). Without
// JavaScript the form still works: two empty rows to add lines, SKUs typed by hand.
(function () {
  "use strict";

  const form = document.getElementById("change-form");
  if (!form) {
    return;
  }
  const lookupUrl = form.dataset.productLookupUrl;
  const customerId = form.dataset.customerId || "";
  const rows = document.getElementById("add-line-rows");
  const template = document.getElementById("add-line-template");
  const total = form.querySelector("input[name='add-TOTAL_FORMS']");
  const addButton = document.getElementById("add-line");

  if (addButton && rows && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const sku = rows.lastElementChild.querySelector(".sku-input");
      if (sku) {
        sku.focus();
      }
    });
  }

  let timer = null;
  let latest = 0;

  function boxOf(input) {
    const cell = input.closest(".sku-cell");
    return cell ? cell.querySelector(".lookup-results") : null;
  }

  function close(box) {
    if (box) {
      box.hidden = true;
      box.innerHTML = "";
    }
  }

  function lookUp(input) {
    const box = boxOf(input);
    const q = input.value.trim();
    if (!box || !q) {
      close(box);
      return;
    }
    const request = ++latest;
    const params = new URLSearchParams({ q: q, customer_id: customerId });
    fetch(`${lookupUrl}?${params}`, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (request === latest && document.activeElement === input) {
          box.innerHTML = html;
          box.hidden = !html.trim();
        }
      })
      .catch(() => close(box));
  }

  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("sku-input")) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => lookUp(input), 250);
    }
  });

  form.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest("[data-pick-sku]") : null;
    if (!option) {
      return;
    }
    event.preventDefault();
    const cell = option.closest(".sku-cell");
    const input = cell.querySelector(".sku-input");
    input.value = option.dataset.pickSku;
    close(cell.querySelector(".lookup-results"));
    const quantity = cell.closest("tr").querySelector("input[name$='-quantity']");
    if (quantity) {
      quantity.focus();
      quantity.select();
    }
  });

  form.addEventListener("focusout", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("sku-input")) {
      // Let a click on an option land first.
      window.setTimeout(() => {
        const box = boxOf(input);
        if (box && !box.contains(document.activeElement)) {
          close(box);
        }
      }, 200);
    }
  });
})();
