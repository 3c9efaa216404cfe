// The grading view by keyboard: j / k open the next / previous student (the links marked rel=next / rel=prev, which
// keep the dashboard's order and filters), p goes to the posts, r to the rubric, ? shows the shortcuts.
import { toggleShortcuts, typing } from "./keys.js";

const grader = document.querySelector("[data-grader]");

function follow(rel) {
  const link = document.querySelector(`a[rel="${rel}"]`);
  if (link) window.location.assign(link.href);
}

function focusOn(id) {
  const target = document.getElementById(id);
  if (!target) return;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
}

const ACTIONS = {
  j: () => follow("next"),
  k: () => follow("prev"),
  p: () => focusOn("posts"),
  r: () => focusOn("rubric"),
  "?": () => toggleShortcuts(),
};

if (grader) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const action = ACTIONS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
