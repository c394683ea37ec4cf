/**
 * What a failed `violet push` means for the job: a failure that may pass by itself (the platform
 * answered 5xx, 429 or 408, the connection was refused, reset or timed out, the name did not
 * resolve) is a wait with backoff; anything else (a bad package, a refused token, an unknown
 * cluster) ends the job with violet's reason.
 *
 * violet reports a failure as text only, so the decision reads violet's last line. The phrases
 * are those of violet's Go HTTP stack and of Node's (the simulator's shim), both written down
 * here once; an unknown phrase is permanent, so a new failure mode stops a job rather than
 * retrying it blindly until the deadline.
 */
export type UploadFailureKind = 'transient' | 'permanent';

const TRANSIENT_PHRASES: readonly RegExp[] = [
  // An HTTP status that says "later": 408, 429 and every 5xx, as violet and the shim print it.
  /\b(answered|status(?: code)?|HTTP(?:\/[\d.]+)?)[:\s]+(408|429|5\d\d)\b/i,
  /\b(Service Unavailable|Bad Gateway|Gateway Time-?out|Too Many Requests|Request Timeout)\b/i,
  // Node's network error codes.
  /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)\b/,
  // Go's net/http phrasing.
  /\b(connection refused|connection reset by peer|broken pipe|i\/o timeout|no such host|network is unreachable)\b/i,
  /\b(connection timed out|no route to host|server closed idle connection|http2: server sent GOAWAY)\b/i,
  /\b(context deadline exceeded|TLS handshake timeout|timeout awaiting response headers|unexpected EOF)\b/i,
  // Client.Timeout ends a request whose answer is late; a bare io.EOF is a connection the far end dropped.
  /\bClient\.Timeout exceeded\b|:\s+EOF\s*$/,
  /\b(socket hang up|fetch failed|other side closed)\b/i,
];

const PERMANENT_PHRASES: readonly RegExp[] = [
  // The token was refused: retrying cannot help, and repeating it would only look like an attack.
  /\b(401|403|Unauthorized|Forbidden)\b/i,
];

export function classifyUploadFailure(said: string): UploadFailureKind {
  if (PERMANENT_PHRASES.some((phrase) => phrase.test(said))) return 'permanent';
  return TRANSIENT_PHRASES.some((phrase) => phrase.test(said)) ? 'transient' : 'permanent';
}
