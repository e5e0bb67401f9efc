"""Memory figures of ``py-apm bench``: JS heap (two ways) and the wasm memory of Pyodide."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

MB = 1024 * 1024

#: Init script: remember every exported ``WebAssembly.Memory`` (Pyodide keeps its own private).
WASM_HOOK_JS = """(() => {
  const seen = (window.__benchWasm = []);
  const keep = (r) => {
    const inst = r && (r.instance || r);
    const exp = inst && inst.exports;
    if (exp) for (const v of Object.values(exp)) if (v instanceof WebAssembly.Memory) seen.push(v);
    return r;
  };
  const wrap = (name) => {
    const orig = WebAssembly[name];
    if (orig) WebAssembly[name] = function (...a) { return orig.apply(this, a).then(keep); };
  };
  wrap("instantiate");
  wrap("instantiateStreaming");
})();"""


def _cdp_heap(cdp: CDPSession) -> float:
    """``JSHeapUsedSize`` from CDP ``Performance.getMetrics``, in bytes."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize"))


def _wasm_bytes(page: Page) -> float | None:
    """Total size of the wasm memories caught by :data:`WASM_HOOK_JS` (None if none)."""
    value = page.evaluate(
        "(window.__benchWasm || []).reduce((s, m) => s + m.buffer.byteLength, 0) || null"
    )
    return None if value is None else float(value)


def memory(page: Page, cdp: CDPSession) -> dict[str, float | None]:
    """JS heap (performance.memory), CDP heap and wasm memory after a forced GC."""
    cdp.send("HeapProfiler.collectGarbage")
    return {
        "js": float(page.evaluate("performance.memory.usedJSHeapSize")),
        "cdp": _cdp_heap(cdp),
        "wasm": _wasm_bytes(page),
    }
