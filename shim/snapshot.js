// The memory snapshot: fetched early, its header read, its non-zero pages streamed into the
// memory image Pyodide boots from, and its bytes checked against the digest record its builder
// wrote beside it (`<snapshot>.json`) before Pyodide may use them.


// Resolves to the snapshot response, or null when there is none (404, network error).
/** @param {string} url @returns {Promise<Response | null>} */
export function fetchSnapshot(url) {
  return fetch(url).then(
    (r) => {
      if (r.ok) return r;
      if (r.status !== 404) console.warn(`py-apm: snapshot ${url}: HTTP ${r.status}; booting without it`);
      return null;
    },
    () => null,
  );
}

// The digest record of the snapshot at `url` ({format, sources, size, sha256}: written by every
// builder, see py_apm/host/snapshot.py), or null when it cannot be had (404, network error, not
// JSON): the snapshot is then not used.
/** @param {string} url @returns {Promise<SnapshotRecord | null>} */
export function fetchRecord(url) {
  return fetch(recordURL(url)).then(
    (r) => (r.ok ? r.json().then((v) => (v && typeof v === "object" ? v : null)) : null),
    () => null,
  ).catch(() => null);
}

/** @param {string} url */
export function recordURL(url) {
  const u = new URL(url);
  u.pathname += ".json";
  return u.href;
}

// The file format this shim reads (FORMAT in py_apm/host/snapshot.py).
const SNAPSHOT_FORMAT = "sparse-1";

// Throws unless `chunks` (the whole file, in order) are what `record` describes: its size and
// SHA-256. A file built from other py_apm code, corrupted or swapped on a static server fails
// here, so its memory is never run.
/** @param {Uint8Array[]} chunks @param {SnapshotRecord | null} record @param {string} url */
async function verify(chunks, record, url) {
  if (!record) throw new Error(`its digest record ${recordURL(url)} is missing`);
  if (record.format !== SNAPSHOT_FORMAT) throw new Error(`its digest record names another format (${String(record.format)})`);
  const size = chunks.reduce((n, c) => n + c.length, 0);
  if (record.size !== size) throw new Error(`it is ${size} bytes, its digest record says ${String(record.size)}`);
  let whole = /** @type {Uint8Array<ArrayBuffer>} */ (chunks[0] || new Uint8Array(0));
  if (chunks.length > 1) {
    whole = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) { whole.set(c, at); at += c.length; }
  }
  chunks.length = 0;
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  // Web Crypto exists only in secure contexts (https, localhost): elsewhere nothing can check it.
  if (!subtle) throw new Error("its digest cannot be checked: the page is not a secure context (https or localhost)");
  const digest = new Uint8Array(await subtle.digest("SHA-256", whole));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== record.sha256) throw new Error("its bytes do not match its digest record (corrupted or replaced)");
}

// The snapshot file (py_apm/host/snapshot.py writes it): "PYAPMSP1", the page size (u32), the
// memory's length (u64), the number of runs of non-zero pages (u32), each run's first page
// and page count (u32 each), then those pages' bytes; the zero pages (about half the memory)
// are not sent. Little-endian.
const SNAPSHOT_MAGIC = "PYAPMSP1";
const SNAPSHOT_HEAD = 24;

// { length, runs: [[byteOffset, byteLength]...], size } from the first bytes of the file;
// null while more bytes are needed. Throws when they are not a py-apm snapshot.
/** @param {Uint8Array} head @returns {{length: number, runs: Array<[number, number]>, size: number} | null} */
function snapshotHeader(head) {
  if (head.length < SNAPSHOT_HEAD) return null;
  if (String.fromCharCode(...head.subarray(0, 8)) !== SNAPSHOT_MAGIC) {
    throw new Error("not a py-apm memory snapshot");
  }
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const page = view.getUint32(8, true);
  const length = Number(view.getBigUint64(12, true));
  const count = view.getUint32(20, true);
  if (!page || !length || length > 2 ** 32 || count > length / page) {
    throw new Error("the snapshot's header is damaged");
  }
  const size = SNAPSHOT_HEAD + count * 8;
  if (head.length < size) return null;
  /** @type {Array<[number, number]>} */
  const runs = [];
  let end = 0;
  for (let i = 0; i < count; i++) {
    const at = view.getUint32(SNAPSHOT_HEAD + i * 8, true) * page;
    const bytes = Math.min(view.getUint32(SNAPSHOT_HEAD + 4 + i * 8, true) * page, length - at);
    if (at < end || bytes <= 0) throw new Error("the snapshot's header is damaged");
    runs.push([at, bytes]);
    end = at + bytes;
  }
  return { length, runs, size };
}

// The snapshot's memory as { bytes, filled }: `bytes` resolves to the whole memory
// (zero-filled) as soon as the header is in, because Pyodide only needs its length to size
// the wasm memory; the runs stream into it while the runtime is instantiated, and `filled`
// resolves once they all are and the file matched its digest record.
/** @param {Response} response @param {Promise<SnapshotRecord | null>} record @param {string} url @returns {{bytes: Promise<Uint8Array>, filled: Promise<Uint8Array>}} */
export function snapshotBody(response, record, url) {
  /** @type {{resolve: (memory: Uint8Array) => void, reject: (e: unknown) => void}} */
  let header = { resolve: () => {}, reject: () => {} };
  const bytes = new Promise((resolve, reject) => { header = { resolve, reject }; });
  const filled = (async () => {
    const reader = response.body ? response.body.getReader() : null;
    let whole = reader ? null : new Uint8Array(await response.arrayBuffer());
    let head = new Uint8Array(0);
    /** @type {Uint8Array | null} */
    let memory = null;
    /** @type {Array<[number, number]>} */
    let runs = [];
    let next = 0;
    let at = 0;
    let left = 0;
    /** @type {Uint8Array[]} the file as it came, for its digest */
    const kept = [];
    /** @param {Uint8Array} chunk */
    const place = (chunk) => {
      for (let i = 0; i < chunk.length;) {
        if (left === 0) {
          if (next === runs.length) throw new Error("the snapshot is longer than its runs");
          [at, left] = runs[next++];
        }
        const n = Math.min(left, chunk.length - i);
        /** @type {Uint8Array} */ (memory).set(chunk.subarray(i, i + n), at);
        i += n;
        at += n;
        left -= n;
      }
    };
    for (;;) {
      let chunk;
      if (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        chunk = value;
      } else if (whole) {
        [chunk, whole] = [whole, null];
      } else break;
      kept.push(chunk);
      if (memory) {
        place(chunk);
        continue;
      }
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      const parsed = snapshotHeader(head);
      if (!parsed) continue;
      memory = new Uint8Array(parsed.length);
      runs = parsed.runs;
      header.resolve(memory);
      place(head.subarray(parsed.size));
      head = new Uint8Array(0); // no longer read: the runs follow
    }
    if (!memory || left !== 0 || next !== runs.length) throw new Error("the snapshot ended early");
    await verify(kept, await record, url);
    return memory;
  })();
  filled.catch((e) => header.reject(e));
  return { bytes, filled };
}

// Pyodide's createPyodideModule, from the pyodide.asm.mjs import started at script evaluation;
// `before` must also be done before the runtime is handed back (the snapshot bytes are read

/**
 * A snapshot's digest record, as its builder wrote it.
 * @typedef {{format?: unknown, sources?: unknown, size?: unknown, sha256?: unknown}} SnapshotRecord
 */
