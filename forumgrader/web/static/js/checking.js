// The checking page: when every job on it has finished, open the topic's dashboard; when one fails, offer to retry.
// The progress bars themselves are filled by progress.js (loaded by main.js), which fires job:finished / job:failed.
const page = document.querySelector("[data-checking]");

if (page) {
  const watches = [...page.querySelectorAll("[data-job-watch]")];
  const finished = new Set();
  const initially = (watch) => watch.querySelector(".job-progress-done:not([hidden])");
  for (const watch of watches) if (initially(watch)) finished.add(watch);
  const next = () => {
    if (finished.size === watches.length && page.dataset.nextHref) window.location.assign(page.dataset.nextHref);
  };
  for (const watch of watches) {
    watch.addEventListener("job:finished", () => {
      finished.add(watch);
      next();
    });
    watch.addEventListener("job:failed", () => {
      const retry = watch.querySelector("[data-job-retry]");
      if (retry) retry.hidden = false;
    });
  }
  next();
}
