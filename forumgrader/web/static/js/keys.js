// What the pages with keyboard shortcuts share: whether a key goes to a field being typed in, and the "?" panel.
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export function typing(target) {
  return TYPING.has(target.tagName) || target.isContentEditable;
}

export function toggleShortcuts() {
  const shortcuts = document.getElementById("shortcuts");
  if (!shortcuts) return;
  shortcuts.open = !shortcuts.open;
  if (shortcuts.open) shortcuts.querySelector("summary").focus();
}
