// Request paths made safe, and the one function that opens the file a path names below its root
// (the counterpart of py_apm/host/urlpaths.py; both servers refuse the same paths).
//
// openBelow opens first and checks what it opened: the real path of the open file (not of the
// name, which another process may swap for a symlink between a check and an open) must lie
// inside the root, and it must be a regular file. Symlinks that stay inside are followed.

import { closeSync, constants, fstatSync, openSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

// Read only; never block on a FIFO (refused after fstat anyway).
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK || 0);

/**
 * The decoded segments of a request path (query dropped), or null when it is not acceptable:
 * backslashes, NUL and control characters, ":", "." and "..", empty segments but a last one
 * (a trailing slash gives ""), anything still percent-encoded after one decoding.
 * @param {string} rawPath
 * @returns {string[] | null}
 */
export function cleanSegments(rawPath) {
  const path = rawPath.split("#")[0].split("?")[0];
  if (!path.startsWith("/")) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (/[\\%:\u0000-\u001f]/.test(decoded)) return null;
  const segments = decoded.split("/").slice(1);
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] === "." || segments[i] === "..") return null;
    if (segments[i] === "" && i !== segments.length - 1) return null;
  }
  return segments;
}

/**
 * @typedef {{fd: number, size: number, mtimeMs: number, dev: number, ino: number, name: string}} OpenFile
 */

/**
 * `root/segments...` opened when it is a regular file whose real path lies inside the real path
 * of `root`; else null. The caller closes `fd`.
 * @param {string | null | undefined} root
 * @param {string[]} segments
 * @returns {OpenFile | null}
 */
export function openBelow(root, segments) {
  if (!root || segments.length === 0) return null;
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("/") || s.includes("\\") || s.includes("\0"))) {
    return null;
  }
  let realRoot;
  try {
    realRoot = realpathSync(root);
  } catch {
    return null;
  }
  const candidate = join(realRoot, ...segments);
  let fd;
  try {
    fd = openSync(candidate, FLAGS);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    const real = openedPath(fd, candidate, st);
    if (st.isFile() && real !== null && (real === realRoot || real.startsWith(realRoot.replace(/[\\/]$/, "") + sep))) {
      return { fd, size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino, name: segments[segments.length - 1] };
    }
  } catch {
    /* refused below */
  }
  closeSync(fd);
  return null;
}

/**
 * A single file named by the server's own options (the configuration, the snapshot), opened
 * through openBelow in its own folder.
 * @param {string | null | undefined} path
 */
export function openFile(path) {
  return path ? openBelow(dirname(path), [basename(path)]) : null;
}

/** The real path of the file open as `fd`: the kernel's word on Linux; elsewhere the real path
 * of `candidate` when it is still that same file (device, inode). */
function openedPath(fd, candidate, st) {
  if (process.platform === "linux") {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      /* no /proc: the check below */
    }
  }
  try {
    const real = realpathSync(candidate);
    const now = statSync(real);
    return now.dev === st.dev && now.ino === st.ino ? real : null;
  } catch {
    return null;
  }
}
