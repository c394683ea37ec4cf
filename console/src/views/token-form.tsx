/** Asks for the API token; it is kept in this tab's sessionStorage only (session-token.ts). */
import { useState } from 'preact/hooks';

/** `notice`: why the token is asked for again (the API refused the last one). */
export function TokenForm({ notice, onSave }: { notice?: string; onSave(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <h1>Sign in</h1>
      {notice && (
        <p class="error" role="alert">
          {notice}
        </p>
      )}
      <label for="token">API token</label>
      <input
        id="token"
        type="password"
        autocomplete="off"
        required
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
      />
      <p class="hint">
        The bearer token of the API (<code>REDIS_UPGRADER_API_TOKEN</code> for <code>serve</code>, a JWT from
        your identity provider on AWS). It is kept for this browser tab only and forgotten when the tab
        closes.
      </p>
      <button type="submit">Open the console</button>
    </form>
  );
}
