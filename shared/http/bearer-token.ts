/**
 * RFC 6750 section 2.1: a bearer token in an Authorization header is a b64token. Anything else
 * (a space, a line break, a quote) cannot be sent as one, so a client refuses it before a request
 * rather than have the HTTP stack reject the header with the token quoted in its error.
 */
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
