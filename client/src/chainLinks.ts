// Pure helpers for the callback chain document (no vscode import, so unit tests load them).

/**
 * Rewrites the chain's `file:///abs/path#L12` links to workspace-relative `/path#L12` links, which the
 * Markdown preview resolves against the workspace folder; files outside every folder keep their link.
 */
export function relativizeLinks(markdown: string, toWorkspacePath: (fileUri: string) => string | undefined): string {
  return markdown.replace(/\]\((file:\/\/[^)#\s]+)(#L\d+)?\)/g, (whole, uri: string, line: string | undefined) => {
    const rel = toWorkspacePath(uri);
    return rel === undefined ? whole : `](/${rel.split('/').map(encodeURIComponent).join('/')}${line ?? ''})`;
  });
}

/** The query of a chain document's URI: which file and position the chain was asked for. */
export interface ChainTarget { uri: string; line: number; character: number }

export function encodeTarget(t: ChainTarget): string {
  return new URLSearchParams({ uri: t.uri, line: String(t.line), character: String(t.character) }).toString();
}

export function decodeTarget(query: string): ChainTarget | undefined {
  const p = new URLSearchParams(query);
  const uri = p.get('uri');
  const line = Number(p.get('line'));
  const character = Number(p.get('character'));
  return uri && Number.isInteger(line) && Number.isInteger(character) ? { uri, line, character } : undefined;
}
