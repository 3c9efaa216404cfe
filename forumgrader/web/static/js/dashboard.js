// The students table: sort by clicking a column heading, filter as you type. Without this script the headings are
// links and the filters a form, answered by the server (?sort=&order=&q=&only=); every row is on the page, the
// ones the filters leave out hidden.
const table = document.querySelector("[data-sortable-table]");
const filters = document.querySelector("[data-table-filters]");
const count = document.querySelector("[data-table-count]");
const students = () => [...table.tBodies[0].rows].filter((row) => row.dataset.name !== undefined);

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
  const body = table.tBodies[0];
  const last = body.querySelector("[data-no-match]");
  for (const row of rows) body.insertBefore(row, last);
  for (const heading of table.tHead.rows[0].cells) {
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

function applyFilters() {
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
  const none = table.querySelector("[data-no-match]");
  if (none) none.hidden = shown > 0;
  if (count) count.textContent = `Showing ${shown} of ${rows.length} students.`;
  remember();
}

if (table) {
  for (const heading of table.tHead.rows[0].cells) {
    const link = heading.querySelector("a.sort-link");
    if (!link) continue;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const current = heading.getAttribute("aria-sort");
      sortBy(heading.dataset.sortKey, current ? current === "ascending" : heading.dataset.sortKey !== "name");
    });
  }
  if (filters) {
    filters.addEventListener("input", applyFilters);
    filters.addEventListener("submit", (event) => {
      event.preventDefault();
      applyFilters();
    });
  }
}
