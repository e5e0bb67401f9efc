// The Pyodide loader as the shim sees it in Node (its data-pyodide folder): Pyodide in Node
// takes its indexURL as a file path, the shim hands it a file: URL, so the path is set here.
import { loadPyodide as load } from "pyodide";
import { pyodideDir } from "../site.mjs";



/** Pyodide's loadPyodide, with the runtime files read from the installed `pyodide` package. */
export function loadPyodide(options = {}) {
  return load({ ...options, indexURL: pyodideDir() + "/" });
}
