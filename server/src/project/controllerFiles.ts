// Finds the controller and view folders of an app (its own, engines', packs') and keeps the
// ControllerIndex current one file at a time, like modelFiles.ts does for models.
import { ControllerIndex, extractControllers, extractHelperSerializerUses, extractView } from '../queries/controllerIndex';
import { extractComponents, isComponentTemplate } from '../queries/components';
import { extractPolicies } from '../queries/policies';
import { summariseForIndex } from './treeShare';
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
    const index = this.index!;
    try {
      if (view) index.updateView(file, summariseForIndex('controllers/view', file, text, (tree) => extractView(tree, file), () => rubyOf(file, text)));
      else if (component) index.updateComponent(file, summariseForIndex('controllers/component', file, text, (tree) => extractComponents(tree, file)));
      else if (policy) index.updatePolicies(file, summariseForIndex('controllers/policy', file, text, extractPolicies));
      else if (helper) index.updateHelper(file, summariseForIndex('controllers/helper', file, text, (tree) => extractHelperSerializerUses(tree, file)));
      else index.updateController(file, summariseForIndex('controllers/controller', file, text, (tree) => extractControllers(tree, file)));
    } catch (error) {
      this.log(`controller index: skipped ${file}: ${String(error)}`);
      this.index!.remove(file);
    }
  }
}
