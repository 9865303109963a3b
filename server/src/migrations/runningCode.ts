// What the processes running before a migration have: an app file's text as of then, provided by the project
// layer (from git) through AppFacts.shared. Rules read it; only the provider does IO.

export const RUNNING_CODE_KEY = 'project/runningCode';

export interface RunningCode {
  /** `fileRel` as the code running before `migrationRel` had it; undefined when unknown (no git, not trusted, new file). */
  fileBefore(migrationRel: string, fileRel: string): string | undefined;
}

/** Column names a model's source lists in `ignored_columns` (`= [...]`, `+= %w[...]`, `<< "x"`), read as text. */
export function ignoredColumnsIn(source: string): string[] {
  const out = new Set<string>();
  const re = /ignored_columns\s*(?:\+=|\|=|=|<<|\.push\(|\.concat\()\s*(%[wWiI]\s*[([{<][^)\]}>]*[)\]}>]|\[[^\]]*\]|["':][\w]+["']?)/g;
  for (const m of source.matchAll(re)) {
    const list = m[1];
    const words = list.startsWith('%') ? list.slice(3, -1).trim().split(/\s+/) : [...list.matchAll(/["':](\w+)/g)].map((w) => w[1]);
    for (const w of words) if (/^\w+$/.test(w)) out.add(w);
  }
  return [...out];
}
