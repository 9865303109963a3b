// Rails' default English inflections, enough to map models ↔ tables ↔ association names.
const IRREGULAR: [string, string][] = [
  ['person', 'people'], ['man', 'men'], ['woman', 'women'], ['child', 'children'], ['sex', 'sexes'],
  ['move', 'moves'], ['zombie', 'zombies'], ['ox', 'oxen'], ['foot', 'feet'], ['tooth', 'teeth'], ['goose', 'geese'],
];
const UNCOUNTABLE = new Set(['equipment', 'information', 'rice', 'money', 'species', 'series', 'fish', 'sheep', 'jeans', 'police', 'news', 'metadata', 'data']);

const PLURAL: [RegExp, string][] = [
  [/(quiz)$/i, '$1zes'], [/^(oxen)$/i, '$1'], [/^(ox)$/i, '$1en'], [/(matr|vert|ind)(?:ix|ex)$/i, '$1ices'],
  [/(x|ch|ss|sh)$/i, '$1es'], [/([^aeiouy]|qu)y$/i, '$1ies'], [/(hive)$/i, '$1s'], [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'], [/([ti])a$/i, '$1a'], [/([ti])um$/i, '$1a'], [/(buffal|tomat)o$/i, '$1oes'], [/(bu)s$/i, '$1ses'],
  [/(alias|status)$/i, '$1es'], [/(octop|vir)i$/i, '$1i'], [/(octop|vir)us$/i, '$1i'], [/^(ax|test)is$/i, '$1es'],
  [/s$/i, 's'], [/$/, 's'],
];
const SINGULAR: [RegExp, string][] = [
  [/(database)s$/i, '$1'], [/(quiz)zes$/i, '$1'], [/(matr)ices$/i, '$1ix'], [/(vert|ind)ices$/i, '$1ex'], [/^(ox)en/i, '$1'],
  [/(alias|status)(es)?$/i, '$1'], [/(octop|vir)(us|i)$/i, '$1us'], [/^(a)x[ie]s$/i, '$1xis'], [/(cris|test)(is|es)$/i, '$1is'],
  [/(shoe)s$/i, '$1'], [/(o)es$/i, '$1'], [/(bus)(es)?$/i, '$1'], [/^(m|l)ice$/i, '$1ouse'], [/(x|ch|ss|sh)es$/i, '$1'],
  [/(m)ovies$/i, '$1ovie'], [/(s)eries$/i, '$1eries'], [/([^aeiouy]|qu)ies$/i, '$1y'], [/([lr])ves$/i, '$1f'],
  [/(tive)s$/i, '$1'], [/(hive)s$/i, '$1'], [/([^f])ves$/i, '$1fe'], [/(t)he(sis|ses)$/i, '$1hesis'],
  [/(s)ynop(sis|ses)$/i, '$1ynopsis'], [/(p)rogno(sis|ses)$/i, '$1rognosis'], [/(p)arenthe(sis|ses)$/i, '$1arenthesis'],
  [/(d)iagno(sis|ses)$/i, '$1iagnosis'], [/(b)a(sis|ses)$/i, '$1asis'], [/(a)naly(sis|ses)$/i, '$1nalysis'],
  [/([ti])a$/i, '$1um'], [/(n)ews$/i, '$1ews'], [/(ss)$/i, '$1'], [/s$/i, ''],
];

function inflect(word: string, rules: [RegExp, string][], irregular: (pair: [string, string]) => [string, string]): string {
  const lower = word.toLowerCase();
  const last = lower.split('_').pop()!;
  if (UNCOUNTABLE.has(last)) return word;
  for (const pair of IRREGULAR) {
    const [from, to] = irregular(pair);
    if (last === from) return word.slice(0, word.length - from.length) + to;
  }
  for (const [re, replacement] of rules) if (re.test(word)) return word.replace(re, replacement);
  return word;
}

export function pluralize(word: string): string { return inflect(word, PLURAL, (p) => p); }
export function singularize(word: string): string { return inflect(word, SINGULAR, ([a, b]) => [b, a]); }

/** `admin/user_profile` → `Admin::UserProfile`. */
export function camelize(path: string): string {
  return path.split('/').map((part) => part.split('_').map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('')).join('::');
}

/** `Admin::UserProfile` → `admin/user_profile`. */
export function underscore(name: string): string {
  return name.replace(/::/g, '/').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').replace(/([a-z\d])([A-Z])/g, '$1_$2').toLowerCase();
}

/** `comments` → `Comment`, `line_items` → `LineItem`. */
export function classify(tableOrAssociation: string): string {
  return camelize(singularize(tableOrAssociation.replace(/^.*\./, '')));
}

/** `Admin::UserProfile` → `user_profiles` (Rails' default table name ignores the namespace unless table_name_prefix). */
export function tableize(className: string): string {
  return pluralize(underscore(className.split('::').pop()!));
}
