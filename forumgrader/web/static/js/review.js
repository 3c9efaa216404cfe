// The review table by keyboard: j/k move between flags, Enter opens a flag's evidence, x ticks it, c confirms,
// d dismisses, n writes a note (Esc comes back), o opens the record, ? shows the shortcuts. Decisions are sent in
// the background; the row, the counts in the filter menus and the summary update in place. Without this script
// every button posts its form and the server sends you back to the next flag with fresh counts.
import { toggleShortcuts, typing } from "./keys.js";

const queue = document.querySelector("[data-review-queue]");
const announce = document.querySelector("[data-announce]");
const flags = () => [...queue.querySelectorAll("[data-flag]")];
const picks = () => [...queue.querySelectorAll("[data-pick]")];

function current() {
  const active = document.activeElement && document.activeElement.closest("[data-flag]");
  return active || queue.querySelector("[data-flag].flag-current") || null;
}

function select(flag) {
  if (!flag) return;
  for (const other of flags()) other.classList.toggle("flag-current", other === flag);
  flag.focus({ preventScroll: true });
  flag.scrollIntoView({ block: "nearest", behavior: "auto" });
}

function move(step) {
  const all = flags();
  const here = all.indexOf(current());
  const next = here === -1 ? (step > 0 ? 0 : all.length - 1) : here + step;
  if (next >= 0 && next < all.length) select(all[next]);
}

function say(words) {
  if (announce) announce.textContent = words;
}

// counts: for each menu's name, how many flags each option's value shows (an option left out shows none)
function showCounts(counts) {
  for (const menu of document.querySelectorAll("select[data-counts]")) {
    const shown = counts[menu.name] || {};
    for (const option of menu.options) {
      option.textContent = `${option.textContent.replace(/ \(\d+\)$/, "")} (${shown[option.value] ?? 0})`;
    }
  }
}

function showStatus(flag, answer) {
  flag.dataset.status = answer.status;
  flag.classList.remove("flag-awaiting", "flag-confirmed", "flag-dismissed");
  flag.classList.add(`flag-${answer.status}`);
  const strong = document.createElement("strong");
  const status = flag.querySelector("[data-flag-status]");
  if (answer.status === "awaiting") {
    strong.textContent = "Awaiting review";
    status.replaceChildren(strong);
  } else {
    strong.textContent = answer.status === "confirmed" ? "Confirmed" : "Dismissed";
    status.replaceChildren(strong, ` by ${answer.reviewer} just now${answer.note ? `: “${answer.note}”` : ""}`);
  }
  return strong.textContent;
}

async function decide(flag, decision) {
  const form = flag.querySelector("[data-decision-form]");
  const data = new FormData(form);
  data.set("decision", decision);
  flag.setAttribute("aria-busy", "true");
  let answer;
  try {
    // the page's filters go in the address, so that the counts come back for them
    const response = await fetch(form.action + window.location.search, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    answer = await response.json();
    if (!response.ok) throw new Error(answer.message || `status ${response.status}`);
  } catch (error) {
    say(`Not saved: ${error.message}`);
    return;
  } finally {
    flag.removeAttribute("aria-busy");
  }
  const done = showStatus(flag, answer);
  showCounts(answer.counts);
  const awaiting = document.querySelector("[data-awaiting]");
  const left = answer.counts.status.awaiting ?? 0;
  if (awaiting) awaiting.textContent = `${left} awaiting review`;
  const grade = answer.grade
    ? ` The student's grade is ${answer.grade.total}/${answer.grade.possible}${answer.grade.provisional ? ", provisional still" : ""}.`
    : "";
  say(`${done}.${grade} ${left} flag${left === 1 ? "" : "s"} awaiting review under these filters.`);
  const all = flags();
  const following = all.slice(all.indexOf(flag) + 1).find((other) => other.dataset.status === "awaiting");
  select(following || flag);
}

function openRecord(flag) {
  const link = flag.querySelector(".evidence-record a[href^='https://doi.org/'], .evidence-links a");
  if (link) window.open(link.href, "_blank", "noopener");
}

function showTicked() {
  const ticked = picks().filter((box) => box.checked).length;
  for (const count of document.querySelectorAll("[data-selected-count]")) count.textContent = ticked;
  const all = queue.querySelector("[data-pick-all]");
  if (all) {
    all.checked = ticked > 0 && ticked === picks().length;
    all.indeterminate = ticked > 0 && ticked < picks().length;
  }
}

function tick(flag) {
  const box = flag.querySelector("[data-pick]");
  box.checked = !box.checked;
  showTicked();
}

function note(flag) {
  const details = flag.querySelector("[data-flag-details]");
  details.open = true;
  details.querySelector("[data-note]").focus();
}

const ACTIONS = {
  j: () => move(1),
  k: () => move(-1),
  c: (flag) => flag && decide(flag, "confirmed"),
  d: (flag) => flag && decide(flag, "dismissed"),
  x: (flag) => flag && tick(flag),
  n: (flag) => flag && note(flag),
  o: (flag) => flag && openRecord(flag),
  Enter: (flag) => {
    const details = flag && flag.querySelector("[data-flag-details]");
    if (details) details.open = !details.open;
  },
  "?": () => toggleShortcuts(),
};

if (queue) {
  const pickAll = queue.querySelector("[data-pick-all]");
  pickAll.hidden = false;
  pickAll.addEventListener("change", () => {
    for (const box of picks()) box.checked = pickAll.checked;
    showTicked();
  });
  queue.addEventListener("change", (event) => {
    if (event.target.matches("[data-pick]")) showTicked();
  });
  queue.addEventListener("submit", (event) => {
    const flag = event.target.closest("[data-flag]");
    if (!flag || !event.submitter) return;
    event.preventDefault();
    decide(flag, event.submitter.value);
  });
  queue.addEventListener("focusin", (event) => {
    const flag = event.target.closest("[data-flag]");
    if (flag) for (const other of flags()) other.classList.toggle("flag-current", other === flag);
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      const flag = event.target.closest("[data-flag]");
      if (event.key === "Escape" && flag) {
        event.preventDefault();
        select(flag);
      }
      return;
    }
    const action = ACTIONS[event.key];
    // Enter on a link, a button or a summary keeps its own meaning
    if (!action || (event.key === "Enter" && event.target.closest("a, button, summary"))) return;
    event.preventDefault();
    action(current());
  });
  showTicked();
}
