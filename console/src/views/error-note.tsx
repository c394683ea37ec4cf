/** An API error where it happened, in the API's own words, announced to screen readers. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = 'code' in error ? ` (${String(error.code)})` : '';
  return (
    <p class="error" role="alert">
      {error.message}
      {code}
    </p>
  );
}
