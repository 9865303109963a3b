// Which database a model's table lives in (multi-database apps): `connects_to database: { writing: :name }` in the
// class or an ancestor (usually an abstract base class); `establish_connection` to anything else makes it unknown.
import type { AppFacts } from '../core/appFacts';
import { registerModelExtractor, type ModelIndex, type ModelInfo } from '../models/modelIndex';
import { literalName, readCall } from '../parsing/ruby';
import type { Node } from '../parsing/treeSitter';
import type { Schema } from '../project/schema';
import { hashValue } from '../migrations/ruleKit';

const KEY = 'concurrency.database';
/** The connection could not be read (a URL, a shard map, a computed name). */
const UNKNOWN = '?';

registerModelExtractor((model: ModelInfo, body: Node) => {
  for (const raw of body.namedChildren) {
    // `connects_to ... if replica_enabled?`: the writing database is the same either way.
    const stmt = raw && (raw.type === 'if_modifier' || raw.type === 'unless_modifier') ? raw.childForFieldName('body') : raw;
    const call = stmt ? readCall(stmt) : null;
    if (!call || call.receiver) continue;
    if (call.name === 'connects_to') {
      const writing = hashValue(call.keywords.get('database'), 'writing');
      model.extra.set(KEY, literalName(writing) ?? UNKNOWN);
    } else if (call.name === 'establish_connection') {
      model.extra.set(KEY, UNKNOWN);
    }
  }
});

/** The database name ("primary" unless an ancestor connects elsewhere), or undefined when it cannot be read. */
export function databaseOf(models: ModelIndex, model: ModelInfo): string | undefined {
  for (const m of models.ancestry(model)) {
    const name = m.extra.get(KEY) as string | undefined;
    if (name !== undefined) return name === UNKNOWN ? undefined : name;
  }
  return 'primary';
}

/** The schema of a database by name: `schema` for the primary one. */
export function schemaOfDatabase(app: AppFacts, database: string): Schema | undefined {
  return database === 'primary' ? app.schema : app.schemas?.get(database);
}
