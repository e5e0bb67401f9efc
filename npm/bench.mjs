// The Node figures of `py-apm bench` (py_apm/host/bench_node.py runs this in a checkout and
// prints them beside the browser's): boot without and with the Node memory snapshot (each in a
// new process, as a test file gets), PyApm.reset(), the cost of getFocusedSession().title, and
// the cost py-apm adds to one test file in Vitest and in Jest.
//
//   node npm/bench.mjs <package dir> <runners dir> [--quick]      prints one JSON object
//   node npm/bench.mjs --boot <package dir> [off]                 (internal) one boot
//
// <runners dir>: a folder where the packed package and the samples' pinned vitest, jsdom, jest
// and jest-environment-jsdom are installed (bench_node.py makes it); <package dir>: the package
// installed there.

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const CASE = {
  templateName: "case_entity_session_default_template",
  sessionContext: { parametersStr: '[["entityName","incident"],["entityId","11bb"]]' },
};

async function oneBoot(pkg, off) {
  const { createApm } = await import(pathToFileURL(join(pkg, "lib", "node.mjs")).href);
  const cpu = process.cpuUsage();
  const apm = await createApm({ snapshot: off !== "off" });
  const used = process.cpuUsage(cpu);
  // CPU time as well as wall time: on a busy machine the wall time is mostly waiting for a core.
  const out = { bootMs: apm.bootTimeMs, bootCpuMs: (used.user + used.system) / 1000, fromSnapshot: apm.bootedFromSnapshot };
  if (off !== "off") {
    // µs per call, as the browser bench measures it: a warm-up run, then the median of 5 runs;
    // wall time and this process's CPU time (user + system), which a machine busy with other
    // work inflates far less than wall time (what the ratio to the browser compares).
    const measure = (fn, n) => {
      for (let i = 0; i < Math.max(1, n >> 3); i++) fn();
      const walls = [];
      const cpus = [];
      for (let r = 0; r < 5; r++) {
        const c = process.cpuUsage();
        const t = performance.now();
        for (let i = 0; i < n; i++) fn();
        walls.push(((performance.now() - t) * 1000) / n);
        const used = process.cpuUsage(c);
        cpus.push((used.user + used.system) / n);
      }
      return [median(walls), median(cpus)];
    };
    const quiet = console.warn;
    console.warn = () => {};
    [out.resetUs, out.resetCpuUs] = measure(() => PyApm.reset(), 1000);
    PyApm.reset({ returns: "documented" });
    Microsoft.Apm.createSession(CASE);
    [out.titleUs, out.titleCpuUs] = measure(() => Microsoft.Apm.getFocusedSession().title, 10_000);
    console.warn = quiet;
  }
  await apm.close();
  process.stdout.write(JSON.stringify(out));
}

function boot(pkg, off) {
  const text = execFileSync(process.execPath, [new URL(import.meta.url).pathname, "--boot", pkg, off || ""], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return JSON.parse(text);
}

const FILES = 6;

/** Wall seconds of `command` in `dir`. */
function timed(dir, command, args, env = {}) {
  const t = performance.now();
  execFileSync(command, args, { cwd: dir, stdio: "ignore", env: { ...process.env, ...env } });
  return (performance.now() - t) / 1000;
}

/** ms py-apm adds to one test file: FILES one-test files, one worker, with and without it. */
function runnerCost(runners, pkg, kind) {
  const dir = join(runners, `bench-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const body = kind === "vitest"
    ? `import { test, expect } from "vitest";\ntest("t", () => { expect(typeof globalThis.Microsoft).toBe(MODE); });\n`
    : `test("t", () => { expect(typeof globalThis.Microsoft).toBe(MODE); });\n`;
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}.test.${kind === "vitest" ? "mjs" : "js"}`), body);
  const bin = (name) => join(runners, "node_modules", ".bin", name);
  const run = (withApm) => {
    const mode = withApm ? '"object"' : '"undefined"';
    if (kind === "vitest") {
      const setup = withApm ? 'setupFiles: ["py-apm-emulator/vitest"],' : "";
      writeFileSync(join(dir, "vitest.config.mjs"),
        `export default { test: { ${setup} environment: "node", maxWorkers: 1, fileParallelism: false, include: ["*.test.mjs"] } };\n`);
      for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}.test.mjs`), body.replace("MODE", mode));
      return timed(dir, bin("vitest"), ["run"]);
    }
    const env = withApm ? "py-apm-emulator/jest-environment" : "jsdom";
    writeFileSync(join(dir, "jest.config.cjs"), `module.exports = { testEnvironment: ${JSON.stringify(env)}, rootDir: __dirname };\n`);
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}.test.js`), body.replace("MODE", mode));
    return timed(dir, bin("jest"), ["--runInBand", "--config", "jest.config.cjs"]);
  };
  run(true); // warm the runner's caches and the snapshot
  const bare = run(false);
  const apm = run(true);
  rmSync(dir, { recursive: true, force: true });
  return { perFileMs: ((apm - bare) * 1000) / FILES, bareS: bare, apmS: apm, files: FILES };
}

async function main(argv) {
  if (argv[0] === "--boot") return oneBoot(argv[1], argv[2]);
  const [pkg, runners] = argv;
  const quick = argv.includes("--quick");
  boot(pkg); // builds the Node snapshot when missing
  const cold = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) cold.push(boot(pkg, "off"));
  const warm = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) warm.push(boot(pkg));
  const out = {
    bootColdMs: median(cold.map((c) => c.bootMs)),
    bootColdCpuMs: median(cold.map((c) => c.bootCpuMs)),
    bootSnapshotMs: median(warm.map((w) => w.bootMs)),
    bootSnapshotCpuMs: median(warm.map((w) => w.bootCpuMs)),
    fromSnapshot: warm.every((w) => w.fromSnapshot),
    resetUs: median(warm.map((w) => w.resetUs)),
    resetCpuUs: median(warm.map((w) => w.resetCpuUs)),
    titleUs: median(warm.map((w) => w.titleUs)),
    titleCpuUs: median(warm.map((w) => w.titleCpuUs)),
  };
  if (runners) {
    out.vitest = runnerCost(runners, pkg, "vitest");
    out.jest = runnerCost(runners, pkg, "jest");
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

await main(process.argv.slice(2));
