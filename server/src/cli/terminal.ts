// What the CLI does differently on a terminal: colour, a progress line, and library warnings kept off stderr.

export interface ColorEnv { NO_COLOR?: string; FORCE_COLOR?: string }

/** NO_COLOR (any value) and --no-color win; FORCE_COLOR (not "0") forces colour; otherwise only on a TTY. */
export function wantsColor(isTTY: boolean | undefined, env: ColorEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY === true;
}

export interface Paint { red(s: string): string; yellow(s: string): string; blue(s: string): string; dim(s: string): string; bold(s: string): string }

const sgr = (code: number, reset: number) => (s: string) => `\u001b[${code}m${s}\u001b[${reset}m`;
export const COLORS: Paint = { red: sgr(31, 39), yellow: sgr(33, 39), blue: sgr(34, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
export const PLAIN: Paint = { red: (s) => s, yellow: (s) => s, blue: (s) => s, dim: (s) => s, bold: (s) => s };

/** A single rewritten line on a TTY stream ("files done / total"); silent elsewhere. */
export class Progress {
  private last = 0;
  private shown = false;
  constructor(private readonly stream: { isTTY?: boolean; write(s: string): unknown }, private readonly everyMs = 100) {}

  get enabled(): boolean { return this.stream.isTTY === true; }

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.last < this.everyMs) return;
    this.last = now;
    this.shown = true;
    this.stream.write(`\r\u001b[2Krails-hazards: ${done}/${total} files`);
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\u001b[2K');
    this.shown = false;
  }
}

/**
 * Collects `process.emitWarning` calls (e.g. the yaml package's YAMLWarning for `!ruby/regexp` tags in
 * .rubocop.yml) instead of Node's default printing, so they become one notice at the end.
 */
export class WarningCollector {
  readonly warnings: Error[] = [];
  private readonly saved: ((...args: unknown[]) => void)[];
  private readonly listener = (w: Error) => { this.warnings.push(w); };

  constructor() {
    this.saved = process.listeners('warning') as never;
    process.removeAllListeners('warning');
    process.on('warning', this.listener);
  }

  /** One line, or undefined when nothing warned. */
  notice(): string | undefined {
    if (this.warnings.length === 0) return undefined;
    const kinds = [...new Set(this.warnings.map((w) => `${w.name}: ${firstLine(w.message)}`))];
    const n = this.warnings.length;
    return `notice: ${n} warning${n === 1 ? '' : 's'} from libraries hidden (${kinds.slice(0, 2).join('; ')}${kinds.length > 2 ? '; …' : ''}); RAILS_HAZARDS_DEBUG=1 prints them`;
  }

  restore(): void {
    process.off('warning', this.listener);
    for (const l of this.saved) process.on('warning', l);
  }
}

function firstLine(s: string): string {
  // "… at line 3, column 7:" differs per occurrence; the kind of warning is what the notice names.
  const line = s.split('\n')[0].replace(/ at line \d+, column \d+:?.*$/, '').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
