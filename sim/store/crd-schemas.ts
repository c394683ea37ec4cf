import { readFileSync } from 'node:fs';
import {
  CRD_BUNDLE_PATH,
  type CrdNames,
  type CrdSummary,
  type PrinterColumn,
  summarizeCrd,
} from '#sim/store/crd-bundle.ts';

/**
 * SIM_CRD_DIR points at other CRD YAMLs, parsed per file on first use. Otherwise the schemas come
 * from sim/crds/schemas.json, generated from the vendored YAMLs: parsing the 2 MB of YAML cost every
 * simulator process a few hundred ms, JSON.parse of the same schemas costs a few.
 */
const CRD_DIR = process.env.SIM_CRD_DIR;

let bundle: Record<string, CrdSummary> | undefined;
const parsedFiles = new Map<string, CrdSummary>();

function crdOf(file: string): CrdSummary {
  if (CRD_DIR) {
    let crd = parsedFiles.get(file);
    if (!crd) {
      crd = summarizeCrd(readFileSync(`${CRD_DIR}/${file}`, 'utf8'));
      parsedFiles.set(file, crd);
    }
    return crd;
  }
  bundle ??= JSON.parse(readFileSync(CRD_BUNDLE_PATH, 'utf8')) as Record<string, CrdSummary>;
  const crd = bundle[file];
  if (!crd) throw new Error(`CRD ${file} is not in ${CRD_BUNDLE_PATH} (run npm run sim:crds)`);
  return crd;
}

/** openAPIV3Schema of one served version of a CRD file; the same object on every call, per process. */
export function crdSchema(file: string, version: string): object {
  const schema = crdOf(file).versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`CRD ${file} has no schema for version ${version}`);
  return schema;
}

/** The CRD's names: its declared short names and categories are what discovery serves. */
export function crdNames(file: string): CrdNames {
  return crdOf(file).names;
}

/** The version's additionalPrinterColumns (none declared: an empty list). */
export function crdPrinterColumns(file: string, version: string): PrinterColumn[] {
  return crdOf(file).versions.find((v) => v.name === version)?.additionalPrinterColumns ?? [];
}
