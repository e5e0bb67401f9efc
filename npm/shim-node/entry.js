// The shim for Node (npm/lib/node.mjs), bundled by `node scripts/build_shim.mjs --node` into the
// package's site/shim.node.mjs: the same modules as shim.js, installed on a given global by
// install(target, tag) once the host (host.js) says what stands for the page's fetch and
// BroadcastChannel. Each import of the bundle under a new URL is a new emulator.
export { install } from "../../shim/index.js";
export { setHost } from "./host.js";
