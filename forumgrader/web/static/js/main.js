// Progressive enhancement for every page: pages work without it.
import { followJobs } from "./progress.js";
import { showLocalTimes } from "./localtime.js";
import { autosubmit } from "./autosubmit.js";

showLocalTimes(document);
followJobs(document);
autosubmit(document);
