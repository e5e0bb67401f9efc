// Writing py-apm's files into a user's folder so that a later `py-apm init` can update them:
// each file's SHA-256 goes into .py-apm-init.json; a later init replaces the files still as it
// wrote them and keeps (and names) the ones the user edited. py_apm/host/starter.py does the
// same for the Python `py-apm init`, with the same manifest.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const MANIFEST = ".py-apm-init.json";

const sha = (data) => createHash("sha256").update(data).digest("hex");

function recorded(target) {
  try {
    const files = JSON.parse(readFileSync(join(target, MANIFEST), "utf8")).files;
    return files && typeof files === "object" && !Array.isArray(files) ? files : {};
  } catch {
    return {};
  }
}

/**
 * Write `files` ({rel: source path}) into `target`; missing `gitignore` lines are appended to
 * its .gitignore. Returns {created, updated, unchanged, kept, gitignoreAdded}.
 * @param {string} target
 * @param {Record<string, string>} files
 * @param {{gitignore?: string[], version: string}} options
 */
export function install(target, files, { gitignore = [], version }) {
  mkdirSync(target, { recursive: true });
  const before = recorded(target);
  const manifest = {};
  const done = { created: [], updated: [], unchanged: [], kept: [], gitignoreAdded: [] };
  for (const [rel, source] of Object.entries(files)) {
    const path = join(target, rel);
    const data = readFileSync(source);
    const next = sha(data);
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
      done.created.push(rel);
      manifest[rel] = next;
      continue;
    }
    const current = sha(readFileSync(path));
    if (current === next) {
      done.unchanged.push(rel);
      manifest[rel] = next;
    } else if (before[rel] === current) {
      writeFileSync(path, data);
      done.updated.push(rel);
      manifest[rel] = next;
    } else if (before[rel] === next) {
      done.unchanged.push(rel); // the user's edit of a file this version did not change
      manifest[rel] = next;
    } else {
      done.kept.push(rel);
      if (rel in before) manifest[rel] = before[rel]; // still the user's edit next time
    }
  }
  const ignore = join(target, ".gitignore");
  const text = existsSync(ignore) ? readFileSync(ignore, "utf8") : "";
  const have = new Set(text.split(/\r?\n/));
  done.gitignoreAdded = gitignore.filter((line) => !have.has(line));
  if (done.gitignoreAdded.length) {
    const sep = text && !text.endsWith("\n") ? "\n" : "";
    writeFileSync(ignore, `${text}${sep}${done.gitignoreAdded.join("\n")}\n`);
  }
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(join(target, MANIFEST), JSON.stringify({ generator: `py-apm-emulator ${version}`, files: sorted }, null, 2) + "\n");
  return done;
}

/** The lines `py-apm init` prints for what `install` did. */
export function report(done, shown, log = console.log) {
  for (const rel of done.created) log(`  created  ${shown}/${rel}`);
  for (const rel of done.updated) log(`  updated  ${shown}/${rel}`);
  for (const rel of done.kept) {
    log(`  kept     ${shown}/${rel}: you edited it (delete it and run init again to get the new copy)`);
  }
  if (done.gitignoreAdded.length) log(`  added    ${done.gitignoreAdded.length} lines to ${shown}/.gitignore`);
  log(
    `py-apm init: ${done.created.length} created, ${done.updated.length} updated, ` +
      `${done.unchanged.length} unchanged, ${done.kept.length} kept`,
  );
}

/** The starter's .gitignore lines (its `gitignore` file, comments left out). */
export function gitignoreLines(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split(/\r?\n/).filter((line) => line.trim() && !line.startsWith("#"));
}
