// Times are written in UTC by the server; show them in the reader's own time zone.
const format = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  timeZoneName: "short",
});

export function showLocalTimes(root) {
  for (const element of root.querySelectorAll("time[data-local]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) {
      element.title = element.textContent.trim();
      element.textContent = format.format(moment);
    }
  }
}
