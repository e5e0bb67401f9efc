// Microsoft.Apm and its session and tab objects (decision 3), built from the APM table: actions
// follow the return contract (`returns`: runtime Promises or documented synchronous values).
import { topics } from "../events.js";
import { invoke } from "../wire.js";
import { faceObject, objectsById } from "./build.js";
import { APM } from "./table.js";

/** @type {import("./build.js").Face} */
const face = {};
const sessions = objectsById(APM.session, face, "session");
const tabs = objectsById(APM.tab, face, "tab");
face.session = sessions.get;
face.tab = tabs.get;

/** Microsoft.Apm */
export const Apm = faceObject(APM.Apm, {
  ...face,
  hand: {
    // The topic is remembered: only handed-out topics can have subscribers (events.js).
    getEventPublisherTopic: () => ({
      value: function getEventPublisherTopic(/** @type {unknown[]} */ ...args) {
        const topic = invoke("Microsoft.Apm.getEventPublisherTopic", "getEventPublisherTopic", args);
        topics.add(topic);
        return topic;
      },
      writable: true, enumerable: true, configurable: true,
    }),
  },
});

/** Forgets the session and tab objects handed out (PyApm.reset). */
export function clearApm() {
  sessions.clear();
  tabs.clear();
}
