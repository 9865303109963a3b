import type { HoverProvider } from '../core/hover';
import { callbackChainHover } from './callbacks';
import { lockfileHover } from './lockfile';
import { migrationDslHover } from './migration-dsl';
import { redisCommandHover } from './redis-commands';

/** Every hover provider; the first one that answers wins. */
export const hoverProviders: HoverProvider[] = [
  migrationDslHover,
  lockfileHover,
  callbackChainHover,
  redisCommandHover,
];
