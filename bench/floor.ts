// The floor `npm run bench` compares a check with, run as a fresh process (`node -r rssProbe.js floor.js
// LIST`): node start, the grammars, then read every file the check analyses and parse with a plain
// web-tree-sitter Parser those the check parses (templates through the same ERB/HAML projection).
// LIST is a JSON file `{ read: string[], parse: string[] }`; prints `{ files, parsed, bytes }`.
import * as fs from 'node:fs';
import { Parser } from 'web-tree-sitter';
import { initParsers, rubyGrammar } from '../server/src/parsing/treeSitter';
import { rubyOf } from '../server/src/parsing/templates';
import { readSourceFile } from '../server/src/project/files';

async function main(listFile: string): Promise<void> {
  const list = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { read: string[]; parse: string[] };
  await initParsers();
  const parser = new Parser();
  parser.setLanguage(rubyGrammar());
  const parse = new Set(list.parse);
  let bytes = 0;
  let parsed = 0;
  for (const file of list.read) {
    const read = readSourceFile(file);
    if (read.text === undefined) continue;
    bytes += read.text.length;
    if (!parse.has(file)) continue;
    parser.parse(rubyOf(file, read.text))?.delete();
    parsed++;
  }
  process.stdout.write(JSON.stringify({ files: list.read.length, parsed, bytes }) + '\n');
}

main(process.argv[2]).catch((error) => { process.stderr.write(`floor failed: ${String(error)}\n`); process.exitCode = 1; });
