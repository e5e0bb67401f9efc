// py-apm for JavaScript projects: the site's files, serving them (HTTP or request interception),
// and the memory snapshot.
export { PYODIDE_FILES, SITE_FILES, makeSite, pyodideDir, siteDir, snapshotKey } from "./site.mjs";
export { ensureSnapshot, snapshotDir, snapshotPath, snapshotProblem, verifiedSnapshot } from "./snapshot.mjs";
export { startServer } from "./http.mjs";
export { serveSite } from "./route.mjs";
