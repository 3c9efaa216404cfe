// The self-check's enhancements; the pages work without them.
//
// <button data-copy="element-id" hidden> copies that element's text and says so in the next .copy-status; it is
// shown only when this script runs. <form data-busy-text="…"> says so in its .busy-text while the check runs.
// After a check, focus moves to the results, so that a screen reader starts there.

function say(status, words) {
  if (!status) return;
  status.textContent = "";
  // a change after clearing is announced even when the words are the same as last time
  window.setTimeout(() => { status.textContent = words; }, 50);
}

function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

export function enableCopyButtons(root) {
  for (const button of root.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    const status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = source.textContent.trim();
      try {
        await navigator.clipboard.writeText(text);
        say(status, "Copied.");
      } catch {
        selectText(source);
        say(status, "Selected: press Ctrl+C (⌘C on a Mac) to copy it.");
      }
    });
  }
}

export function showBusyForms(root) {
  for (const form of root.querySelectorAll("form[data-busy-text]")) {
    const button = form.querySelector("button[type=submit]");
    const status = form.querySelector(".busy-text");
    form.addEventListener("submit", () => {
      if (status) status.textContent = form.dataset.busyText;
      if (button) button.setAttribute("aria-disabled", "true");
    });
    // coming back with the Back button shows the form as it was, not busy
    window.addEventListener("pageshow", () => {
      if (status) status.textContent = "";
      if (button) button.removeAttribute("aria-disabled");
    });
  }
}

export function focusResults(root) {
  const heading = root.getElementById ? root.getElementById("results-heading") : null;
  if (heading) heading.focus();
}

enableCopyButtons(document);
showBusyForms(document);
focusResults(document);
