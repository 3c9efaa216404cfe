// A background job's progress bar: polls the job's status JSON and fills a <progress> with words beside it.
//
// <div class="job-progress" data-job-status-url="/jobs/7/status" data-job-done-href="/topics/3">
//   <progress max="100"></progress> <p class="job-progress-text" aria-live="polite"></p>
//   <p class="job-progress-error" role="alert" hidden></p> <p class="job-progress-done" hidden><a>…</a></p>
// </div>
// The element fires "job:finished" or "job:failed" (detail: the status) when the job ends.

const FINISHED = new Set(["done", "failed"]);

export function describe(status) {
  if (status.status === "failed") return "Stopped.";
  if (status.status === "done") return status.message || "Finished.";
  if (status.status === "queued" && !status.done) return status.message || "Waiting to start…";
  return status.message || `${status.done} of ${status.total}`;
}

function show(element, status) {
  const bar = element.querySelector("progress");
  if (status.percent === null || status.percent === undefined) {
    bar.removeAttribute("value"); // indeterminate until the size of the work is known
  } else {
    bar.value = status.percent;
    bar.textContent = `${status.percent}%`;
  }
  const text = element.querySelector(".job-progress-text");
  const words = describe(status);
  if (text.textContent !== words) text.textContent = words;
  const error = element.querySelector(".job-progress-error");
  error.textContent = status.error || "";
  error.hidden = !status.error;
  const done = element.querySelector(".job-progress-done");
  if (done) done.hidden = !(status.status === "done" && element.dataset.jobDoneHref);
}

export function followJob(element, { every = 1000, slowest = 10000 } = {}) {
  const url = element.dataset.jobStatusUrl;
  let wait = every;
  const poll = async () => {
    let status;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const type = response.headers.get("Content-Type") || "";
      if (response.redirected || !type.includes("application/json")) {
        show(element, { status: "failed", error: "Your session ended: sign in again to follow this job.", percent: null });
        return;
      }
      if (!response.ok) throw new Error(`status ${response.status}`);
      status = await response.json();
      wait = every;
    } catch {
      wait = Math.min(wait * 2, slowest); // the server may be restarting: keep trying, less often
      setTimeout(poll, wait);
      return;
    }
    show(element, status);
    if (FINISHED.has(status.status)) {
      const name = status.status === "done" ? "job:finished" : "job:failed";
      element.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: status }));
      return;
    }
    setTimeout(poll, wait);
  };
  poll();
}

export function followJobs(root) {
  for (const element of root.querySelectorAll("[data-job-status-url]")) followJob(element);
}
