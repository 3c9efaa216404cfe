// The students table. Without this script the headings are links and the filters a form, answered by the server
// (?sort=&order=&q=&only=&page=), a page of rows at a time. With it, a table that holds every student
// (data-complete) sorts when a heading is clicked and filters as you type, in place; a larger one is filtered as you
// type by asking the server for the table again, and its headings and pages stay links.
const region = document.querySelector("[data-table-region]");
const filters = document.querySelector("[data-table-filters]");
const table = () => document.querySelector("[data-sortable-table]");
const complete = () => table()?.hasAttribute("data-complete");
const students = () => [...table().tBodies[0].rows].filter((row) => row.dataset.name !== undefined);

function remember() {
  if (!filters) return;
  const params = new URLSearchParams(new FormData(filters));
  if (!params.get("q")) params.delete("q");
  window.history.replaceState(null, "", `${window.location.pathname}?${params}${window.location.hash}`);
}

function sortBy(key, descending) {
  const byName = (a, b) => a.dataset.name.localeCompare(b.dataset.name);
  const compare = key === "name" ? byName : (a, b) => Number(a.dataset[key]) - Number(b.dataset[key]);
  const rows = students().sort((a, b) => (descending ? -compare(a, b) : compare(a, b)) || byName(a, b));
  const body = table().tBodies[0];
  const last = body.querySelector("[data-no-match]");
  for (const row of rows) body.insertBefore(row, last);
  for (const heading of table().tHead.rows[0].cells) {
    const mark = heading.querySelector(".sort-mark");
    const sorted = heading.dataset.sortKey === key;
    if (sorted) heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
    else heading.removeAttribute("aria-sort");
    if (mark) mark.textContent = sorted ? (descending ? " ▼" : " ▲") : "";
  }
  if (filters) {
    filters.elements.sort.value = key;
    filters.elements.order.value = descending ? "desc" : "asc";
  }
  remember();
}

function filterInPlace() {
  const words = filters.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
  const only = [...filters.querySelectorAll('input[name="only"]:checked')].map((box) => box.value);
  const rows = students();
  let shown = 0;
  for (const row of rows) {
    const keep =
      words.every((word) => row.dataset.search.includes(word)) && only.every((name) => Number(row.dataset[name]) > 0);
    row.hidden = !keep;
    shown += keep ? 1 : 0;
  }
  const none = table().querySelector("[data-no-match]");
  if (none) none.hidden = shown > 0;
  const count = document.querySelector("[data-table-count]");
  if (count) count.textContent = `Showing ${shown} of ${rows.length} students.`;
  remember();
}

let asked = 0;
async function filterOnServer() {
  const mine = ++asked;
  const params = new URLSearchParams(new FormData(filters));
  if (!params.get("q")) params.delete("q");
  const address = `${window.location.pathname}?${params}`;
  const response = await fetch(address, { headers: { Accept: "text/html" } });
  if (!response.ok || mine !== asked) return; // an answer to an older query, or none: leave the table as it is
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const found = fresh.querySelector("[data-table-region]");
  if (!found) return;
  region.replaceChildren(...found.childNodes);
  window.history.replaceState(null, "", `${address}#students`);
}

let pause;
function filtered() {
  if (complete()) return filterInPlace();
  window.clearTimeout(pause);
  pause = window.setTimeout(filterOnServer, 300);
}

if (region) {
  region.addEventListener("click", (event) => {
    const link = event.target.closest("th a.sort-link");
    if (!link || !complete()) return; // a larger table: the server sorts it
    event.preventDefault();
    const heading = link.closest("th");
    const current = heading.getAttribute("aria-sort");
    sortBy(heading.dataset.sortKey, current ? current === "ascending" : heading.dataset.sortKey !== "name");
  });
  if (filters) {
    filters.addEventListener("input", filtered);
    filters.addEventListener("submit", (event) => {
      event.preventDefault();
      if (complete()) filterInPlace();
      else filterOnServer();
    });
  }
}
