/*
 * py-apm shim: an offline emulator of the Dynamics 365 `Microsoft.Apm` JavaScript API.
 *
 *   <script src="/shim.js"></script>
 *   <script>PyApm.ready.then(() => Microsoft.Apm.getFocusedSession().title);</script>
 *
 * Installs `window.Microsoft.Apm`, `window.Microsoft.AppRuntime` (the runtime behind it),
 * `window.Xrm.App.sessions` (extending an `Xrm` already there) and `window.PyApm` at once, boots
 * Pyodide from a local copy (never a CDN), installs the `py_apm` package from `py_apm.zip` and
 * forwards every call to it: three faces, one workspace.
 * Built from the ES modules in shim/ (index.js installs, boot.js boots, wire.js is the way into
 * Python, faces/ the three faces, control.js window.PyApm) by scripts/build_shim.mjs: edit those.
 * Script tag attributes (all optional, relative to the page):
 *   data-pyodide  Pyodide base URL      (default: <dir of shim.js>/pyodide/)
 *   data-package  zipped py_apm URL     (default: <dir of shim.js>/py_apm.zip)
 *   data-config   JSON passed to PyApm.configure before PyApm.ready resolves
 *   data-config-optional   (no value) a data-config answering 404 means "no configuration"
 *   data-snapshot Pyodide memory snapshot URL, or "off" (default: <dir of shim.js>/py_apm.snapshot
 *                 unless data-package is set). Booting from it is ~4x faster; when it is missing
 *                 (404) or built for another Pyodide, the shim boots normally.
 * Contract with Python: docs/design.md sections 2-3; behaviour rules: the README behaviour table.
 */
