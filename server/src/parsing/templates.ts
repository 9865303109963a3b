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
  switch (templateLanguage(file)) {
    case 'erb': return erbToRuby(text);
    case 'haml': return hamlToRuby(text);
    default: return text;
  }
}

/** Whether a file's Ruby is a projection that is rebuilt whole on every edit (no incremental reparse). */
export function isProjected(file: string): boolean {
  const language = templateLanguage(file);
  return language === 'erb' || language === 'haml';
}
