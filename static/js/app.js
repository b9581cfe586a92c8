// Site behaviour that must not be inline (the Content-Security-Policy forbids inline script).
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first invalid field after a failed form submission.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();

  // The app menu folds behind "Meny" on small screens.
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && menu) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  // One menu group open at a time; a click elsewhere or Escape closes it.
  const groups = Array.from(document.querySelectorAll("details.menu-group"));
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", (event) => {
    groups.forEach((group) => { if (!group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    groups.forEach((group) => {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });

  // A region that scrolls sideways (a wide table on a phone) must be reachable by
  // keyboard, so it gets a tab stop while, and only while, it scrolls.
  const markScrollable = () => {
    document.querySelectorAll("main table, main .table-scroll, main [data-scrolls]").forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible";
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.dataset.scrolls = "1";
      } else if (!scrolls && el.dataset.scrolls) {
        el.removeAttribute("tabindex");
        delete el.dataset.scrolls;
      }
    });
  };
  markScrollable();
  let resizeTimer;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });
  document.body.addEventListener("htmx:afterSettle", markScrollable);
});

// The type-ahead pickers (customers/widgets.py for clients, catalog/widgets.py for an
// invoice line's product): choosing an option fills the hidden id field; editing the text
// again clears it until an option is chosen.
const pick = (option) => {
  const picker = option.closest("[data-picker]");
  if (!picker) return;
  const value = picker.querySelector("[data-picker-value]");
  value.value = option.dataset.pick;
  const text = picker.querySelector("[data-picker-text]");
  text.value = option.dataset.pickLabel;
  picker.querySelector(".picker-options").replaceChildren();
  // The invoice editor swaps in the chosen client's defaults, or fills the line from the
  // chosen product, on this (HTMX on the field).
  if (value.hasAttribute("hx-post")) value.dispatchEvent(new Event("change", { bubbles: true }));
};
document.addEventListener("click", (event) => {
  const option = event.target.closest("[data-pick]");
  if (option) pick(option);
});
// Leaving a picker by keyboard (Tab, or Enter in an editor) closes its options, so moving
// through an invoice's lines leaves no product list open behind. A click elsewhere leaves
// them as they are: closing them under the pointer would move the page and lose the click.
let lastPointerDown = 0;
document.addEventListener("pointerdown", () => {
  lastPointerDown = performance.now();
}, true);
document.addEventListener("focusout", (event) => {
  const picker = event.target.closest && event.target.closest("[data-picker]");
  if (!picker || picker.contains(event.relatedTarget)) return;
  // The focus leaves on the press itself (same event turn): a short window is enough.
  if (performance.now() - lastPointerDown < 250) return;
  // An option's button losing the focus to nothing: "Vis flere" replaced by the next page.
  if (!event.relatedTarget && event.target.closest(".picker-options")) return;
  picker.querySelector(".picker-options").replaceChildren();
});
// "Vis flere" moves the focus to the first option it brought, so the keyboard goes on
// from there (its own button is gone).
let pickerMore = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const more = event.target.closest && event.target.closest("[data-picker-more]");
  pickerMore = null;  // any other request: a new search replaces the list
  if (!more) return;
  const list = more.closest(".picker-options");
  pickerMore = { list, count: list.querySelectorAll("[data-pick]").length };
});
document.addEventListener("htmx:afterSettle", () => {
  if (!pickerMore) return;
  const first = pickerMore.list.querySelectorAll("[data-pick]")[pickerMore.count];
  if (!first) return;  // another request's settle: the next page is not in yet
  pickerMore = null;
  first.focus();
});
document.addEventListener("input", (event) => {
  const text = event.target.closest("[data-picker-text]");
  if (!text) return;
  text.closest("[data-picker]").querySelector("[data-picker-value]").value = "";
});
// Enter in a picker's text box, with a search typed (nothing chosen since) and options
// shown, chooses the first of them (not "all clients" or "free text") instead of moving on
// with nothing chosen. With a choice made, Enter moves on as in any field.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  const text = event.target.closest && event.target.closest("[data-picker-text]");
  if (!text || !text.value.trim()) return;
  const picker = text.closest("[data-picker]");
  if (picker.querySelector("[data-picker-value]").value) return;
  const first = picker.querySelector('.picker-options [data-pick]:not([data-pick=""])');
  if (!first) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  pick(first);
});

// Fields that only a company has (customers/templates/customers/client_form.html): hidden
// while the form's kind is "person", unless they hold a value the user must see.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-company-only]").forEach((form) => {
    const kind = form.querySelector('select[name="kind"]');
    if (!kind) return;
    const names = form.dataset.companyOnly.split(" ");
    const apply = () => {
      names.forEach((name) => {
        const input = form.querySelector(`[name="${name}"]`);
        if (!input) return;
        const hide = kind.value === "person" && !input.value;
        [
          input,
          form.querySelector(`label[for="${input.id}"]`),
          document.getElementById(`${input.id}_helptext`),
          document.getElementById(`${input.id}_error`),
        ].forEach((element) => {
          if (element) element.hidden = hide;
        });
      });
    };
    kind.addEventListener("change", apply);
    apply();
  });
});
// Escape in a picker (its text box or an option) closes its suggestions.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const picker = event.target.closest && event.target.closest("[data-picker]");
  if (!picker) return;
  picker.querySelector(".picker-options").replaceChildren();
});

// Company look-up (core/companylookup.py): an org.nr input marked with
// data-company-lookup asks the app's JSON endpoint once it holds nine digits and fills
// the fields named in data-lookup-fields that are still empty (or still hold what an
// earlier look-up put there). Any failure leaves the form as it is, with a quiet message.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-company-lookup]").forEach((input) => {
    const form = input.form;
    const fields = JSON.parse(input.dataset.lookupFields || "{}");
    const status = document.createElement("small");
    status.className = "lookup-status";
    status.id = `${input.id}_lookup`;
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", status);
    let asked = "";
    let timer;

    const field = (key) => fields[key] && form.querySelector(`[name="${fields[key]}"]`);
    const mayFill = (el) => {
      const current = el.type === "checkbox" ? String(el.checked) : el.value;
      if (el.dataset.lookupFilled === current) return true;
      if (el.type === "checkbox") return !el.checked;
      if (el.tagName === "SELECT") return el.selectedOptions[0] && el.selectedOptions[0].defaultSelected;
      return !el.value.trim();
    };
    const fill = (el, value) => {
      if (!el || value === null || value === undefined || !mayFill(el)) return;
      if (el.type === "checkbox") {
        el.checked = Boolean(value);
        el.dataset.lookupFilled = String(el.checked);
      } else if (el.tagName === "SELECT") {
        if (!Array.from(el.options).some((option) => option.value === value)) return;
        el.value = value;
        el.dataset.lookupFilled = value;
      } else {
        el.value = value;
        el.dataset.lookupFilled = value;
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    };

    const ask = async (digits) => {
      asked = digits;
      status.textContent = "";
      const controller = new AbortController();
      const abort = setTimeout(() => controller.abort(), 8000);
      try {
        const response = await fetch(`${input.dataset.companyLookup}?orgnr=${digits}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        const answer = await response.json();
        if (digits !== asked) return; // the number changed while we waited
        status.textContent = answer.message || "";
        if (answer.status !== "found" || answer.deleted) return;
        const values = Object.assign({}, answer.fill);
        if (!fields.address_line2 && values.address_line2) {
          values.address_line = [values.address_line, values.address_line2].filter(Boolean).join(", ");
        }
        Object.keys(fields).forEach((key) => fill(field(key), values[key]));
      } catch (error) {
        if (digits === asked) status.textContent = input.dataset.lookupUnavailable || "";
      } finally {
        clearTimeout(abort);
      }
    };

    const check = () => {
      const digits = input.value.replace(/[\s.]/g, "");
      if (!/^[0-9]{9}$/.test(digits) || digits === asked) return;
      clearTimeout(timer);
      timer = setTimeout(() => ask(digits), 300);
    };
    input.addEventListener("input", check);
    input.addEventListener("change", check);
  });
});

// Enter in an editor's field (invoice, quote and recurring-invoice forms, marked
// data-enter-next) moves on to the next field, as Tab does, instead of submitting the whole
// form (which saved a quote half-typed, or reloaded the invoice editor at the top). Leaving
// the field recomputes the invoice's totals (HTMX on change). Enter in the last line's last
// field adds a line where the editor has a button for it, and moves into the new line.
const editorFields = (form) =>
  Array.from(form.elements).filter(
    (el) =>
      ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) &&
      el.type !== "hidden" &&
      !el.disabled &&
      el.tabIndex >= 0 &&
      el.getClientRects().length > 0,
  );
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  if (event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
  const field = event.target;
  const form = field.form;
  if (!form || !form.hasAttribute("data-enter-next")) return;
  if (!["INPUT", "SELECT"].includes(field.tagName) || ["submit", "button"].includes(field.type)) return;
  event.preventDefault();
  const fields = editorFields(form);
  const row = field.closest("tr.line-row");
  const rows = form.querySelectorAll("tr.line-row");
  const rowFields = row ? fields.filter((el) => row.contains(el)) : [];
  const addLine = form.querySelector("[data-add-line]");
  if (row && row === rows[rows.length - 1] && field === rowFields[rowFields.length - 1] && addLine) {
    const count = rows.length;
    document.body.addEventListener("htmx:afterSettle", function focusNewLine() {
      const all = form.querySelectorAll("tr.line-row");
      if (all.length <= count) return;
      document.body.removeEventListener("htmx:afterSettle", focusNewLine);
      const first = editorFields(form).find((el) => all[all.length - 1].contains(el));
      if (first) first.focus();
    });
    field.dispatchEvent(new Event("change", { bubbles: true }));
    addLine.click();
    return;
  }
  const next = fields[fields.indexOf(field) + 1];
  if (next) {
    next.focus();
    if (next.tagName === "INPUT" && typeof next.select === "function") next.select();
  }
});

// "Velg alle utkast på siden" (the invoice list's draft view): a checkbox marked
// data-select-all="<form id>" ticks or clears every checkbox of that form on the page.
document.addEventListener("change", (event) => {
  const all = event.target.closest && event.target.closest("[data-select-all]");
  if (!all) return;
  const boxes = document.querySelectorAll(`input[type="checkbox"][form="${all.dataset.selectAll}"]`);
  boxes.forEach((box) => {
    box.checked = all.checked;
  });
});
