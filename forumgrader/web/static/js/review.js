// Keyboard triage of the review queue: j/k move between flags, c confirms, d dismisses, n writes a note (Esc comes
// back), o opens the record, ? shows the shortcuts. Decisions are sent in the background and the page updates in
// place; without this script the buttons post the form and the server sends you back to the next flag.
const queue = document.querySelector("[data-review-queue]");
const announce = document.querySelector("[data-announce]");
const shortcuts = document.getElementById("shortcuts");
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);
const flags = () => [...queue.querySelectorAll("[data-flag]")];

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

async function decide(flag, decision) {
  const form = flag.querySelector("[data-decision-form]");
  const data = new FormData(form);
  data.set("decision", decision);
  flag.setAttribute("aria-busy", "true");
  let answer;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    answer = await response.json();
    if (!response.ok) throw new Error(answer.message || `status ${response.status}`);
  } catch (error) {
    flag.removeAttribute("aria-busy");
    say(`Not saved: ${error.message}`);
    return;
  }
  flag.removeAttribute("aria-busy");
  flag.dataset.status = answer.status;
  flag.classList.remove("flag-awaiting", "flag-confirmed", "flag-dismissed");
  flag.classList.add(`flag-${answer.status}`);
  const status = flag.querySelector("[data-flag-status]");
  const strong = document.createElement("strong");
  if (answer.status === "awaiting") {
    strong.textContent = "Awaiting review";
    status.replaceChildren(strong);
  } else {
    strong.textContent = answer.status === "confirmed" ? "Confirmed" : "Dismissed";
    const note = answer.note ? `: “${answer.note}”` : "";
    status.replaceChildren(strong, ` by ${answer.reviewer} just now${note}`);
  }
  const grade = answer.grade
    ? ` The student's grade is ${answer.grade.total}/${answer.grade.possible}${answer.grade.provisional ? ", provisional still" : ""}.`
    : "";
  say(`${strong.textContent}.${grade} ${answer.awaiting} flag${answer.awaiting === 1 ? "" : "s"} awaiting review.`);
  const all = flags();
  const following = all.slice(all.indexOf(flag) + 1).find((other) => other.dataset.status === "awaiting");
  select(following || flag);
}

function openRecord(flag) {
  const link = flag.querySelector(".evidence-record a[href^='https://doi.org/'], .evidence-links a");
  if (link) window.open(link.href, "_blank", "noopener");
}

if (queue) {
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
    if (TYPING.has(event.target.tagName)) {
      if (event.key === "Escape") {
        const flag = event.target.closest("[data-flag]");
        if (flag) {
          event.preventDefault();
          select(flag);
        }
      }
      return;
    }
    const flag = current();
    const actions = {
      j: () => move(1),
      k: () => move(-1),
      c: () => flag && decide(flag, "confirmed"),
      d: () => flag && decide(flag, "dismissed"),
      n: () => flag && flag.querySelector("[data-note]").focus(),
      o: () => flag && openRecord(flag),
      "?": () => {
        shortcuts.open = !shortcuts.open;
        if (shortcuts.open) shortcuts.querySelector("summary").focus();
      },
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
