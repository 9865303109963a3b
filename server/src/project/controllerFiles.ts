// Finds the controller and view folders of an app (its own, engines', packs') and keeps the
// ControllerIndex current one file at a time, like modelFiles.ts does for models.
import { ControllerIndex, extractControllers, extractHelperSerializerUses, extractView } from '../queries/controllerIndex';
import { extractComponents, isComponentTemplate } from '../queries/components';
import { extractPolicies } from '../queries/policies';
import { parseForIndex } from './treeShare';
import { cachedSummary } from './summaryStore';
import { isTemplateName, rubyOf } from '../parsing/templates';
import type { FileSource } from './files';
import { appFolders, filesUnder } from './appFolders';

/** `app/controllers`, `app/views`, `app/components`, `app/policies` and `app/helpers` folders under the root (engines and packs included). */
export function controllerAndViewDirectories(root: string, maxDepth = 5): string[] {
  return appFolders(root, ['controllers', 'views', 'components', 'policies', 'helpers'], maxDepth);
}

const isController = (file: string): boolean => /(^|[\\/])app[\\/]controllers[\\/].*\.rb$/.test(file);
const isView = (file: string): boolean => (/(^|[\\/])app[\\/]views[\\/]/.test(file) && isTemplateName(file)) || isComponentTemplate(file);
const isComponent = (file: string): boolean => /(^|[\\/])app[\\/]components[\\/].*\.rb$/.test(file);
const isPolicy = (file: string): boolean => /(^|[\\/])app[\\/]policies[\\/].*\.rb$/.test(file);
const isHelper = (file: string): boolean => /(^|[\\/])app[\\/]helpers[\\/].*\.rb$/.test(file);

export class ControllerIndexLoader {
  private index: ControllerIndex | undefined;
  private readonly dirty = new Set<string>();

  constructor(private readonly root: string, private readonly files: FileSource, private readonly log: (m: string) => void) {}

  get(): ControllerIndex {
    if (!this.index) {
      this.index = new ControllerIndex();
      for (const dir of controllerAndViewDirectories(this.root)) {
        for (const file of filesUnder(dir, (n) => n.endsWith('.rb') || isTemplateName(n))) this.load(file);
      }
      this.dirty.clear();
    }
    for (const file of this.dirty) this.load(file);
    this.dirty.clear();
    return this.index;
  }

  changed(file: string): void {
    if (this.index && (isController(file) || isView(file) || isComponent(file) || isPolicy(file) || isHelper(file))) this.dirty.add(file);
  }

  private load(file: string): void {
    const text = this.files.read(file);
    if (text === undefined) { this.index!.remove(file); return; }
    const view = isView(file);
    const component = isComponent(file);
    const policy = isPolicy(file);
    const helper = isHelper(file);
    if (!view && !component && !policy && !helper && !isController(file)) return;
    // Only helpers that hand a collection to a serializer matter (`Serializer` in the text); the rest are not parsed.
    if (helper && !text.includes('Serializer')) { this.index!.remove(file); return; }
    const kind = view ? 'view' : component ? 'component' : policy ? 'policy' : helper ? 'helper' : 'controller';
    const summarise = () => {
      const tree = parseForIndex(file, view ? rubyOf(file, text) : text);
      try {
        return view ? extractView(tree, file) : component ? extractComponents(tree, file) : policy ? extractPolicies(tree)
          : helper ? extractHelperSerializerUses(tree, file) : extractControllers(tree, file);
      } finally {
        tree.delete();
      }
    };
    try {
      const summary = cachedSummary(`controllers/${kind}`, file, text, summarise);
      if (view) this.index!.updateView(file, summary as ReturnType<typeof extractView>);
      else if (component) this.index!.updateComponent(file, summary as ReturnType<typeof extractComponents>);
      else if (policy) this.index!.updatePolicies(file, summary as ReturnType<typeof extractPolicies>);
      else if (helper) this.index!.updateHelper(file, summary as ReturnType<typeof extractHelperSerializerUses>);
      else this.index!.updateController(file, summary as ReturnType<typeof extractControllers>);
    } catch (error) {
      this.log(`controller index: skipped ${file}: ${String(error)}`);
      this.index!.remove(file);
    }
  }
}
