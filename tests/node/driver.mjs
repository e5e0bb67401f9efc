// The Node backend of the Python test suites: py-apm booted with createApm on this process's
// global, driven over stdin/stdout (one JSON request per line, one JSON answer per line) with
// what the suites ask of a Playwright page: evaluate a function or expression in the "page" or
// in a "frame". A frame is what a web resource is in Node: a script with its own global scope
// (a vm context) that sees the emulator's globals; `window.parent` is the process's global.
//
//   node driver.mjs <path of the package's lib/node.mjs> [config JSON]
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

// stdout carries the answers: what the code under test logs goes to stderr.
console.log = console.error;
// The "page" of the suites is this global (web resources reach it as window.parent).
globalThis.window ??= globalThis;
const { createApm } = await import(pathToFileURL(process.argv[2]).href);
const apm = await createApm({ config: process.argv[3] ? JSON.parse(process.argv[3]) : undefined });
const frames = new Map();
let nextFrame = 0;

// The globals a frame shares with the emulator's global (a web resource reaches them as
// window.parent.X; the documentation's examples name them bare).
const SHARED = ["Microsoft", "Xrm", "PyApm", "BroadcastChannel", "setTimeout", "clearTimeout",
  "setInterval", "clearInterval", "queueMicrotask", "structuredClone"];

function newFrame() {
  const logs = [];
  const errors = [];
  const sandbox = { __logs: logs, __errors: errors };
  for (const name of SHARED) sandbox[name] = globalThis[name];
  sandbox.console = Object.assign(Object.create(console), {
    log: (...a) => { logs.push(a.map(String).join(" ")); },
  });
  const context = vm.createContext(sandbox);
  vm.runInContext("var window = globalThis, self = globalThis;", context);
  sandbox.parent = globalThis;
  sandbox.top = globalThis;
  const id = ++nextFrame;
  frames.set(id, { context, logs, errors });
  return id;
}

// Like Playwright's evaluate: a function source is called with `arg`, anything else is an
// expression; the result is awaited. Runs as a script in the page's realm or a frame's.
function evaluate(source, arg, frame) {
  const run = (code) => (frame ? vm.runInContext(code, frame.context) : vm.runInThisContext(code));
  let value;
  try {
    value = run(`(${source})`);
  } catch (e) {
    if (!(e instanceof SyntaxError) && e?.name !== "SyntaxError") throw e;
    return run(source);
  }
  return typeof value === "function" ? value(arg) : value;
}

let current = null; // the frame whose code runs now, for its unhandled rejections
process.on("unhandledRejection", (reason) => {
  for (const f of current ? [current] : frames.values()) f.errors.push(String(reason));
});

async function handle(request) {
  const { op } = request;
  if (op === "evaluate") {
    const frame = request.frame ? frames.get(request.frame) : null;
    return await evaluate(request.source, request.arg, frame);
  }
  if (op === "frame.create") return newFrame();
  if (op === "frame.run") {
    const frame = frames.get(request.frame);
    current = frame;
    try {
      vm.runInContext(request.code, frame.context, { filename: `frame-${request.frame}.js` });
    } catch (e) {
      frame.errors.push(String(e && e.message));
    } finally {
      setTimeout(() => { if (current === frame) current = null; }, 0);
    }
    return null;
  }
  if (op === "frame.remove") {
    frames.delete(request.frame);
    return null;
  }
  if (op === "close") {
    await apm.close();
    setImmediate(() => process.exit(0));
    return null;
  }
  throw new Error(`unknown op ${op}`);
}

const answer = (obj) => process.stdout.write(JSON.stringify(obj, (_k, v) => (v === undefined ? null : v)) + "\n");
answer({ ready: true, bootTimeMs: apm.bootTimeMs, bootedFromSnapshot: apm.bootedFromSnapshot });
const lines = createInterface({ input: process.stdin });
// One request at a time, in order, as a page's evaluate calls from one Python thread are.
let queue = Promise.resolve();
lines.on("line", (line) => {
  const request = JSON.parse(line);
  queue = queue.then(async () => {
    try {
      const value = await handle(request);
      answer({ id: request.id, ok: value === undefined ? null : value });
    } catch (e) {
      answer({ id: request.id, error: String((e && e.stack) || e) });
    }
  });
});
lines.on("close", () => process.exit(0));
