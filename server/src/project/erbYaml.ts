// YAML with ERB tags (database.yml, sidekiq.yml, queue.yml) read without running the ERB: each
// `<%= … %>` becomes a placeholder scalar of the same length, so node ranges stay the file's.
import { isMap, isScalar, isAlias, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Position, Range } from '../core/types';
import { countOfRuby, UNKNOWN_COUNT, type ThreadCount } from '../capacity/threadCount';

export interface ErbTag { code: string; start: number; end: number }

export interface ErbYaml {
  text: string;
  doc: Document;
  /** Placeholder → the tag it stands for. */
  tags: Map<string, ErbTag>;
}

export function parseErbYaml(text: string): ErbYaml | undefined {
  const tags = new Map<string, ErbTag>();
  let i = 0;
  const masked = text.replace(/<%(#|=|-)?([\s\S]*?)-?%>/g, (tag, mark: string | undefined, code: string, offset: number) => {
    const blank = tag.replace(/[^\n]/g, ' ');
    if (mark !== '=') return blank; // comments and control tags (`<% if … %>`) print nothing
    const placeholder = `erb${i++}`;
    tags.set(placeholder, { code: code.trim(), start: offset, end: offset + tag.length });
    return placeholder + blank.slice(placeholder.length);
  });
  try {
    const doc = parseDocument(masked, { merge: true, uniqueKeys: false, strict: false, logLevel: 'silent' } as never);
    if (doc.errors.length) return undefined;
    return { text, doc, tags };
  } catch {
    return undefined;
  }
}

/** The map under `key`, following aliases. */
export function mapAt(y: ErbYaml, map: YAMLMap | undefined, key: string): YAMLMap | undefined {
  const node = map ? resolve(y, map.get(key, true) as YamlNode | undefined) : undefined;
  return isMap(node) ? node : undefined;
}

/** A key of a map, its own pairs first, then `<<: *anchor` merges (nearest first): returns the pair's key and value nodes. */
export function lookup(y: ErbYaml, map: YAMLMap, key: string): { key: YamlNode; value: YamlNode } | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && !isMergeKey(pair.key) && String(pair.key.value) === key && pair.value) return { key: pair.key, value: resolve(y, pair.value as YamlNode) as YamlNode };
  }
  for (const pair of map.items) {
    if (!isScalar(pair.key) || !isMergeKey(pair.key)) continue;
    const sources = resolve(y, pair.value as YamlNode);
    const list = isMap(sources) ? [sources] : ((sources as { items?: unknown[] } | undefined)?.items ?? []).map((n) => resolve(y, n as YamlNode));
    for (const source of list) {
      if (!isMap(source)) continue;
      const found = lookup(y, source, key);
      if (found) return found;
    }
  }
  return undefined;
}

/** The keys a map has, its own and merged. */
export function keysOf(y: ErbYaml, map: YAMLMap): string[] {
  const keys = new Set<string>();
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    if (isMergeKey(pair.key)) {
      const sources = resolve(y, pair.value as YamlNode);
      const list = isMap(sources) ? [sources] : ((sources as { items?: unknown[] } | undefined)?.items ?? []).map((n) => resolve(y, n as YamlNode));
      for (const source of list) if (isMap(source)) for (const k of keysOf(y, source)) keys.add(k);
    } else keys.add(String(pair.key.value));
  }
  return [...keys];
}

/** `<<` (the yaml package keeps a merge key as a Symbol when merges are on). */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

function resolve(y: ErbYaml, node: YamlNode | undefined): YamlNode | undefined {
  let n = node;
  for (let i = 0; i < 10 && n && isAlias(n); i++) n = n.resolve(y.doc) as YamlNode | undefined;
  return n;
}

/** The count a scalar holds: a number, a numeric string, or an ERB tag's expression. */
export function countOfScalar(y: ErbYaml, node: YamlNode | undefined): ThreadCount {
  if (!isScalar(node)) return UNKNOWN_COUNT;
  const v = node.value;
  if (typeof v === 'number' && Number.isInteger(v)) return { value: v, vars: [], expr: String(v) };
  if (typeof v !== 'string') return UNKNOWN_COUNT;
  if (/^\d+$/.test(v.trim())) return { value: Number(v.trim()), vars: [], expr: v.trim() };
  const tag = y.tags.get(v.trim());
  return tag ? countOfRuby(tag.code) : UNKNOWN_COUNT;
}

/** A scalar's range in the original text (an ERB placeholder covers its whole tag). */
export function scalarRange(y: ErbYaml, node: YamlNode): Range {
  const [start, valueEnd] = node.range ?? [0, 0];
  const tag = isScalar(node) && typeof node.value === 'string' ? y.tags.get(node.value.trim()) : undefined;
  const end = tag && tag.start === start ? tag.end : valueEnd;
  return { start: positionAt(y.text, start), end: positionAt(y.text, end) };
}

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}
