/**
 * Errors that only exist at the HTTP edge (no route, wrong method, wrong media type, body too
 * large, malformed JSON). Domain and adapter errors keep their own classes; error-response.ts
 * maps both to a status.
 */
import { UpgraderError } from '#domain/errors.ts';

export class HttpError extends UpgraderError {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options.details ? { details: options.details } : {});
    this.status = status;
    this.headers = options.headers ?? {};
  }
}
