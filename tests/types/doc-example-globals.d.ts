// The implicit globals of the documentation examples: `x = new Map()` without a declaration
// works in a sloppy-mode script (it creates a global), which TypeScript cannot infer.
declare var x: Map<string, string>;
