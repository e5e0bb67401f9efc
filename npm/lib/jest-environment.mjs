// `testEnvironment: "py-apm-emulator/jest-environment"`: jest-environment-jsdom with py-apm on
// its window (see jest-glue.mjs). Needs jest-environment-jsdom installed beside Jest.
import jsdom from "jest-environment-jsdom";
import { environmentClass, withApm } from "./jest-glue.mjs";

export default withApm(environmentClass(jsdom));
