// The editor's `railsHazards.*` settings, per workspace folder.
import type { SeveritySetting } from '../core/types';

export interface EditorSettings {
  rules: Record<string, SeveritySetting>;
  run: 'onType' | 'onSave';
  maxFileSizeKb: number;
}

export const DEFAULT_SETTINGS: EditorSettings = { rules: {}, run: 'onType', maxFileSizeKb: 2048 };

export function normalizeSettings(raw: unknown): EditorSettings {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const rules: Record<string, SeveritySetting> = {};
  if (typeof s.rules === 'object' && s.rules !== null) {
    for (const [id, v] of Object.entries(s.rules as Record<string, unknown>)) {
      if (typeof v === 'string' && ['off', 'hint', 'info', 'warning', 'error'].includes(v)) rules[id] = v as SeveritySetting;
    }
  }
  return {
    rules,
    run: s.run === 'onSave' ? 'onSave' : 'onType',
    maxFileSizeKb: typeof s.maxFileSizeKb === 'number' && s.maxFileSizeKb > 0 ? s.maxFileSizeKb : DEFAULT_SETTINGS.maxFileSizeKb,
  };
}
