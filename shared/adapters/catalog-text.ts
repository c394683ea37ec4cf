/**
 * Catalog text as the catalog adapters read it (a file, an S3 object): JSON or YAML decoded here,
 * then validated by the domain (#domain/catalog.ts), which never sees text. YAML goes through
 * js-yaml, the one YAML parser of the Lambda bundles (kubeconfig text too: kube-config-text.ts).
 */
import { load as parseYaml } from 'js-yaml';
import { type Catalog, catalogLabel, validateCatalog } from '#domain/catalog.ts';
import { CatalogError, errorMessage } from '#domain/errors.ts';

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

/**
 * JSON when the source name says `.json` or the text starts with `{`, YAML otherwise (YAML for
 * `.yaml`/`.yml`). JSON is parsed strictly so a JSON catalog gets JSON's error positions.
 */
function decode(text: string, sourceName: string | undefined): unknown {
  const name = sourceName?.toLowerCase() ?? '';
  const isYamlName = name.endsWith('.yaml') || name.endsWith('.yml');
  const isJson = name.endsWith('.json') || (!isYamlName && text.trimStart().startsWith('{'));
  try {
    return isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = firstLine(errorMessage(error));
    throw new CatalogError(
      `${catalogLabel(sourceName)} is not valid ${isJson ? 'JSON' : 'YAML'}: ${reason}`,
      {
        cause: error,
        details: { source: sourceName },
      },
    );
  }
}

/** Parses catalog text (JSON or YAML) into a validated Catalog, or throws CatalogError. */
export function parseCatalog(text: string, sourceName?: string): Catalog {
  if (text.trim() === '') {
    throw new CatalogError(`${catalogLabel(sourceName)} is empty`, { details: { source: sourceName } });
  }
  return validateCatalog(decode(text, sourceName), sourceName);
}
