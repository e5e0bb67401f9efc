// The browser entry, bundled into shim.js: reads this script's tag and installs py-apm on the
// window that loaded it.
import { install } from "./index.js";

const script = /** @type {HTMLScriptElement | null} */ (document.currentScript ||
  document.querySelector('script[src$="shim.js"], script[src*="shim.js?"]'));
/** @type {Record<string, string>} */
const attributes = Object.create(null);
for (const a of script ? Array.from(script.attributes) : []) attributes[a.name] = a.value;
install(window, {
  src: (script && script.src) || document.baseURI,
  baseURI: document.baseURI,
  attributes,
});
