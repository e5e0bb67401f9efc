// Pyodide's wasm glue, for the shim's import of `<data-pyodide>pyodide.asm.mjs` in Node.
export { default } from "pyodide/pyodide.asm.mjs";
