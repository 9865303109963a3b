// Which language a view is written in and its Ruby: ERB and HAML through a projection that keeps
// positions (erbToRuby, hamlToRuby), jbuilder and XML Builder (`feed.atom.builder`) as they are (they are Ruby).
// Slim is not read yet.
import { erbToRuby } from './treeSitter';
import { hamlToRuby } from './haml';

export type TemplateLanguage = 'erb' | 'haml' | 'jbuilder' | 'builder';

/** The template language of a file by its extension; undefined for Ruby and everything else. */
export function templateLanguage(file: string): TemplateLanguage | undefined {
  if (/\.erb$/.test(file)) return 'erb';
  if (/\.haml$/.test(file)) return 'haml';
  if (/\.jbuilder$/.test(file)) return 'jbuilder';
  if (/\.builder$/.test(file)) return 'builder';
  return undefined;
}

/** File names a view can have (`index.html.erb`, `show.html.haml`, `index.json.jbuilder`, `index.atom.builder`). */
export function isTemplateName(name: string): boolean {
  return templateLanguage(name) !== undefined;
}

/** The Ruby the parser sees for a file: the projection of a template, the text itself otherwise. */
export function rubyOf(file: string, text: string): string {
  const language = templateLanguage(file);
  if (language !== 'erb' && language !== 'haml') return text;
  const known = projections.get(file);
  if (known?.template === text) return known.ruby;
  const ruby = language === 'erb' ? erbToRuby(text) : hamlToRuby(text);
  remember(file, text, ruby);
  return ruby;
}

// A check projects each template twice (the controller index reads every view before the view's own
// analysis), and a server re-projects an unchanged view on every request: the last projections are kept,
// up to a budget of template characters, oldest dropped first.
const PROJECTION_BUDGET_CHARS = 4_000_000;
const projections = new Map<string, { template: string; ruby: string }>();
let projectedChars = 0;

function remember(file: string, template: string, ruby: string): void {
  const old = projections.get(file);
  if (old) { projections.delete(file); projectedChars -= old.template.length; }
  if (template.length > PROJECTION_BUDGET_CHARS / 4) return;
  projections.set(file, { template, ruby });
  projectedChars += template.length;
  for (const [oldest, entry] of projections) {
    if (projectedChars <= PROJECTION_BUDGET_CHARS) break;
    projections.delete(oldest);
    projectedChars -= entry.template.length;
  }
}

/** Whether a file's Ruby is a projection that is rebuilt whole on every edit (no incremental reparse). */
export function isProjected(file: string): boolean {
  const language = templateLanguage(file);
  return language === 'erb' || language === 'haml';
}
