// Hover for the callback chain view: on a model's class name, a callback macro, a save/update/destroy
// call site whose model can be inferred, and on methods that skip callbacks.
import type { HoverProvider } from '../core/hover';
import { indexFor } from '../callbacks/analysis';
import { hoverMarkdown, targetAt } from '../callbacks/view';

export const callbackChainHover: HoverProvider = {
  id: 'callback-chain',
  fileKinds: ['model', 'controller', 'job', 'ruby'],
  hover(input) {
    if (!input.tree) return undefined;
    const index = input.derive('callbacks/index', () => indexFor(input.app, input.file, input.tree));
    const target = targetAt(index, input.tree, input.file, input.position);
    if (!target) return undefined;
    return { markdown: hoverMarkdown(index, input.app, target), range: target.range };
  },
};
