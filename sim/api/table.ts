/**
 * Server-side printing: `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` turns a get, a list
 * or each watch event into a meta.k8s.io/v1 Table, as `kubectl get` asks for. Columns are NAME, then
 * the CRD version's additionalPrinterColumns (evaluated as JSONPath, `date` columns as ages), or
 * NAME and AGE for kinds that declare none (the core kinds here included).
 */
import type { IncomingMessage } from 'node:http';
import { JSONPath } from 'jsonpath-plus';
import type { ResourceType } from '#sim/resource-types.ts';
import { badRequest } from '#sim/store/api-error.ts';
import type { PrinterColumn } from '#sim/store/crd-bundle.ts';
import type { KubeObject } from '#sim/store/kube-object.ts';

type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRequest {
  includeObject: IncludeObject;
}

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};
const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** A Table, when the Accept header asks for one of meta.k8s.io/v1 (or v1beta1) before plain JSON. */
export function tableRequest(req: IncomingMessage, url: URL): TableRequest | undefined {
  const wantsTable = (req.headers.accept ?? '')
    .split(',')
    .map((range) => range.split(';').map((part) => part.trim()))
    .some(
      ([type, ...params]) =>
        type === 'application/json' &&
        params.includes('as=Table') &&
        params.includes('g=meta.k8s.io') &&
        (params.includes('v=v1') || params.includes('v=v1beta1')),
    );
  if (!wantsTable) return undefined;
  const includeObject = url.searchParams.get('includeObject') ?? 'Metadata';
  if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object') {
    throw badRequest(
      `includeObject: Unsupported value: "${includeObject}": supported values: "None", "Metadata", "Object"`,
    );
  }
  return { includeObject };
}

function columnsOf(t: ResourceType): PrinterColumn[] {
  const declared = t.printerColumns ?? [];
  return declared.length > 0 ? declared : [AGE];
}

/** k8s.io/apimachinery's duration.HumanDuration: the AGE kubectl shows. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const both = (a: number, ua: string, b: number, ub: string) =>
    b === 0 ? `${a}${ua}` : `${a}${ua}${b}${ub}`;
  if (minutes < 10) return both(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return both(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return both(Math.floor(hours / 24), 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return both(Math.floor(days / 365), 'y', days % 365, 'd');
  return `${Math.floor(days / 365)}y`;
}

function cell(obj: KubeObject, column: PrinterColumn, now: number): unknown {
  const found = JSONPath({ path: `$${column.jsonPath}`, json: obj, wrap: true }) as unknown[];
  if (found.length === 0 || found[0] === undefined || found[0] === null) return null;
  if (column.type === 'date') {
    const at = Date.parse(String(found[0]));
    return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
  }
  if (found.length > 1)
    return found.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
  const value = found[0];
  if (column.type === 'string' && typeof value === 'object') return JSON.stringify(value);
  return value;
}

function rowObject(obj: KubeObject, include: IncludeObject): object | undefined {
  if (include === 'Object') return obj;
  if (include === 'None') return undefined;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** The Table of `objects`; `metadata` is the list's (resourceVersion, continue). */
export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  request: TableRequest,
  metadata: object = {},
): object {
  const columns = columnsOf(t);
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: [
      NAME_COLUMN,
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((obj) => {
      const object = rowObject(obj, request.includeObject);
      return {
        cells: [obj.metadata.name, ...columns.map((c) => cell(obj, c, now))],
        ...(object ? { object } : {}),
      };
    }),
  };
}
