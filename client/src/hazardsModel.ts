// The hazards view's grouping (area → rule → file, with counts) as plain data: no vscode import, so unit
// tests load it. The view builds it from vscode.languages.getDiagnostics().

export type SeverityName = 'error' | 'warning' | 'info' | 'hint';
export const SEVERITY_NAMES: SeverityName[] = ['error', 'warning', 'info', 'hint'];

export interface HazardItem { file: string; ruleId: string; severity: SeverityName; line: number; character: number; message: string }

export interface FileGroup { file: string; hazards: HazardItem[] }
export interface RuleGroup { ruleId: string; count: number; files: FileGroup[] }
export interface AreaGroup { area: string; count: number; rules: RuleGroup[] }

const rank = (s: SeverityName) => SEVERITY_NAMES.indexOf(s);

/** Hazards at or above `minSeverity`, grouped; areas, rules and files sorted by count then name. */
export function groupHazards(items: readonly HazardItem[], minSeverity: SeverityName = 'hint'): AreaGroup[] {
  const kept = items.filter((i) => rank(i.severity) <= rank(minSeverity));
  const areas = new Map<string, Map<string, Map<string, HazardItem[]>>>();
  for (const i of kept) {
    const area = i.ruleId.split('/')[0];
    const rules = areas.get(area) ?? new Map<string, Map<string, HazardItem[]>>();
    areas.set(area, rules);
    const files = rules.get(i.ruleId) ?? new Map<string, HazardItem[]>();
    rules.set(i.ruleId, files);
    files.set(i.file, [...(files.get(i.file) ?? []), i]);
  }
  const byCount = <T extends { count: number }>(name: (t: T) => string) => (a: T, b: T) => b.count - a.count || name(a).localeCompare(name(b));
  return [...areas.entries()].map(([area, rules]) => {
    const ruleGroups = [...rules.entries()].map(([ruleId, files]) => {
      const fileGroups = [...files.entries()].map(([file, hazards]) => ({ file, hazards: hazards.sort((a, b) => a.line - b.line || a.character - b.character) }))
        .sort((a, b) => b.hazards.length - a.hazards.length || a.file.localeCompare(b.file));
      return { ruleId, count: fileGroups.reduce((n, f) => n + f.hazards.length, 0), files: fileGroups };
    }).sort(byCount((r) => r.ruleId));
    return { area, count: ruleGroups.reduce((n, r) => n + r.count, 0), rules: ruleGroups };
  }).sort(byCount((a) => a.area));
}
