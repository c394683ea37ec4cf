import { badRequest } from '#sim/store/api-error.ts';

/** Where a paged list resumes: the first page's resourceVersion and the last key it served. */
export function decodeContinue(token: string): { rv: number; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      rv?: unknown;
      after?: unknown;
    };
    if (typeof parsed.rv === 'number' && typeof parsed.after === 'string')
      return { rv: parsed.rv, after: parsed.after };
  } catch {
    // falls through to the apiserver's wording below
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

export function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ rv, after }), 'utf8').toString('base64url');
}
