// Which pagination an app already uses (a gem in Gemfile.lock, or `page`/`paginate`/`pagy` calls in its
// controllers), so a message can show the paginated relation in the app's own idiom.
import type { AppFacts } from '../core/appFacts';
import type { ControllerIndex } from './controllerIndex';

export type Paginator = 'kaminari' | 'will_paginate' | 'pagy';

/** The pagination gem the app locks, else the one its controllers' calls point at; undefined when none. */
export function paginatorOf(app: AppFacts): Paginator | undefined {
  for (const gem of ['pagy', 'kaminari', 'will_paginate'] as const) if (app.gems.has(gem)) return gem;
  let controllers: ControllerIndex | undefined;
  try { controllers = app.controllers; } catch { controllers = undefined; }
  for (const c of controllers?.controllers() ?? []) {
    for (const method of c.methods.values()) {
      for (const { chain } of method.assigns) {
        if (chain.root.kind === 'name' && chain.root.name === 'pagy') return 'pagy';
        for (const link of chain.links) {
          if (link.name === 'paginate') return 'will_paginate';
          if (link.name === 'page') return 'kaminari';
        }
      }
    }
  }
  return undefined;
}

/**
 * The safe version of `relation` (Ruby): ordered when it is not (pages need a stable order), paginated in the
 * app's idiom, assigned to `target`: `@posts = Post.order(:id).page(params[:page])`, `@pagy, @posts = pagy(…)`.
 */
export function paginatedAssignment(target: string, relation: string, ordered: boolean, paginator: Paginator | undefined): string {
  const base = relation.replace(/\.all$/, '') + (ordered ? '' : '.order(:id)');
  switch (paginator) {
    case 'pagy': return `@pagy, ${target} = pagy(${base})`;
    case 'will_paginate': return `${target} = ${base}.paginate(page: params[:page])`;
    case 'kaminari': return `${target} = ${base}.page(params[:page])`;
    default: return `${target} = ${base}.limit(100)`;
  }
}

/** How the app paginates, for messages: "kaminari is in Gemfile.lock". */
export function paginatorEvidence(app: AppFacts, paginator: Paginator | undefined): string {
  if (!paginator) return 'the app has no pagination gem: add `.limit(n)`, or kaminari/pagy and a page parameter';
  return app.gems.has(paginator) ? `${paginator} is in Gemfile.lock` : `its controllers already paginate the ${paginator} way`;
}
