// Checks Kubernetes manifests against the API's schemas (kubernetes-models, generated from the
// Kubernetes OpenAPI documents): every document of each file must be a Job that validates.
// Prints one line per document; exits 1 naming the file and the first schema error.
//   node validate_manifest.mjs MANIFEST.yaml...
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";

let failed = false;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      console.error(`${file}: not YAML: ${doc.errors[0].message}`);
      failed = true;
      continue;
    }
    const object = doc.toJS();
    try {
      if (object?.kind !== "Job" || object?.apiVersion !== "batch/v1") throw new Error(`a ${object?.apiVersion} ${object?.kind}, not a batch/v1 Job`);
      new Job(object).validate();
      console.log(`${file}: valid ${object.apiVersion} ${object.kind} '${object.metadata.name}'`);
    } catch (error) {
      console.error(`${file}: invalid: ${error.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
