// `testEnvironment: "py-apm-emulator/jest-environment-node"`: Jest's Node environment with
// py-apm on its global (see jest-glue.mjs).
import node from "jest-environment-node";
import { environmentClass, withApm } from "./jest-glue.mjs";

export default withApm(environmentClass(node));
