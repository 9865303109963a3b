// An app-wide fact built from per-file summaries: every file is summarised once on first use, a changed file is
// summarised again on the next access, and the derived fact is rebuilt only when a summary changed.
export class FileSummaries<S, D> {
  private summaries: Map<string, S> | undefined;
  private derived: D | undefined;
  private readonly dirty = new Set<string>();

  constructor(
    private readonly listFiles: () => Iterable<string>,
    /** undefined: the file contributes nothing (missing, skipped, or failed). */
    private readonly summarise: (file: string) => S | undefined,
    private readonly derive: (summaries: Iterable<S>) => D,
  ) {}

  get(): D {
    if (!this.summaries) {
      this.summaries = new Map();
      for (const file of this.listFiles()) this.load(file);
      this.dirty.clear();
      this.derived = undefined;
    }
    if (this.dirty.size) {
      // A file that contributes nothing before and after its change (most edits) leaves the derived fact as it is.
      let changed = false;
      for (const file of this.dirty) changed = this.load(file) || changed;
      this.dirty.clear();
      if (changed) this.derived = undefined;
    }
    this.derived ??= this.derive(this.summaries.values());
    return this.derived;
  }

  /** Marks one file for re-reading; nothing to do before the first `get`. */
  changed(file: string): void {
    if (this.summaries) this.dirty.add(file);
  }

  /** Forgets everything (the set of files changed). */
  reset(): void {
    this.summaries = undefined;
    this.derived = undefined;
    this.dirty.clear();
  }

  /** Whether the file's summary may have changed. */
  private load(file: string): boolean {
    const summary = this.summarise(file);
    const had = this.summaries!.has(file);
    if (summary === undefined) this.summaries!.delete(file); else this.summaries!.set(file, summary);
    return had || summary !== undefined;
  }
}
