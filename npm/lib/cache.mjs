// `py-apm cache [--prune]`: the memory snapshots in the user's cache (sizes, versions), and
// deleting all but the current version's. The same folder, names and notes as the Python
// `py-apm cache` (py_apm/host/cache.py): each build leaves py_apm-<key>.json beside its snapshot.

import { readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { snapshotKey } from "./site.mjs";
import { snapshotDir } from "./snapshot.mjs";

/** The cached snapshots, the current version's first. */
export function cacheEntries(dir = snapshotDir(), key = snapshotKey()) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries = names
    .filter((name) => name.startsWith("py_apm-") && name.endsWith(".snapshot"))
    .map((name) => {
      const path = join(dir, name);
      let note = {};
      try {
        note = JSON.parse(readFileSync(path.replace(/\.snapshot$/, ".json"), "utf8")) || {};
      } catch {
        note = {};
      }
      return {
        path,
        name,
        size: statSync(path).size,
        current: name.slice(0, -".snapshot".length).endsWith(key),
        pyApm: String(note.py_apm ?? "?"),
        pyodide: String(note.pyodide ?? "?"),
      };
    });
  return entries.sort((a, b) => Number(b.current) - Number(a.current) || (a.name < b.name ? -1 : 1));
}

/** Delete every snapshot but the current version's (and their notes, and build leftovers). */
export function pruneCache(dir = snapshotDir(), key = snapshotKey()) {
  const removed = [];
  for (const entry of cacheEntries(dir, key)) {
    if (entry.current) continue;
    for (const path of [entry.path, entry.path.replace(/\.snapshot$/, ".json")]) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
    removed.push(entry.path);
  }
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  for (const name of names.filter((n) => n.endsWith(".part"))) {
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* already gone */
    }
  }
  return removed;
}

const mb = (size) => `${(size / 1e6).toFixed(1)} MB`;

export function showCache(entries, dir = snapshotDir(), log = console.log) {
  log(`py-apm cache: ${dir} (${entries.length} snapshots, ${mb(entries.reduce((n, e) => n + e.size, 0))})`);
  for (const e of entries) {
    log(`  ${e.current ? "current" : "old    "} ${mb(e.size).padStart(8)}  ${e.name}  (py_apm ${e.pyApm}, Pyodide ${e.pyodide})`);
  }
  const old = entries.filter((e) => !e.current);
  if (old.length) {
    log(`\`py-apm cache --prune\` deletes the ${old.length} old ones (${mb(old.reduce((n, e) => n + e.size, 0))})`);
  }
}
