import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The real upstream CRDs, vendored in sim/crds (see its README); SIM_CRD_DIR points elsewhere. */
const CRD_DIR = process.env.SIM_CRD_DIR ?? fileURLToPath(new URL('../crds/', import.meta.url));

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: object };
}

const parsedFiles = new Map<string, CrdVersion[]>();

/** openAPIV3Schema of one served version of a CRD file; each file is parsed once per process. */
export function crdSchema(file: string, version: string): object {
  let versions = parsedFiles.get(file);
  if (!versions) {
    const crd = parse(readFileSync(`${CRD_DIR}/${file}`, 'utf8')) as { spec: { versions: CrdVersion[] } };
    versions = crd.spec.versions;
    parsedFiles.set(file, versions);
  }
  const schema = versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`CRD ${file} has no schema for version ${version}`);
  return schema;
}
