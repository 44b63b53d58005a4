// Validates Kubernetes objects in YAML files against the Kubernetes OpenAPI schemas, offline, with the
// kubernetes-models package (each object through its kind's model).
//   node validate.js <file.yaml>...
// Prints one line per object; exits 1 if any document does not parse, names an unknown kind or fails its schema.
"use strict";

const fs = require("fs");
const YAML = require("yaml");

function modelOf(apiVersion, kind) {
  // Core objects live under "v1", the others under "<group>/<version>", as in their apiVersion.
  let module;
  try {
    module = require(`kubernetes-models/${apiVersion}/${kind}`);
  } catch {
    throw new Error(`no schema for ${apiVersion} ${kind}`);
  }
  if (typeof module[kind] !== "function") {
    throw new Error(`no model for ${apiVersion} ${kind}`);
  }
  return module[kind];
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.js <file.yaml>...");
  process.exit(2);
}

let objects = 0;
let failures = 0;
for (const file of files) {
  const documents = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const document of documents) {
    const where = `${file}`;
    if (document.errors.length > 0) {
      failures++;
      console.log(`INVALID ${where}: ${document.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = document.toJS();
    const name = `${object?.kind ?? "?"} ${object?.metadata?.name ?? "?"}`;
    try {
      if (!object || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        throw new Error("not a Kubernetes object (apiVersion and kind)");
      }
      const Model = modelOf(object.apiVersion, object.kind);
      new Model(object).validate();
      objects++;
      console.log(`valid ${where}: ${name}`);
    } catch (error) {
      failures++;
      console.log(`INVALID ${where}: ${name}: ${error.message}`);
    }
  }
}

console.log(`${objects} valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
