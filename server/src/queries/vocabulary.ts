// Method names the query rules reason about (research §A.3, §A.5).

/** Called on an association, these always build a new query: includes cannot help (N2). */
export const ASSOCIATION_QUERY_METHODS = new Set([
  'where', 'find_by', 'find_by!', 'exists?', 'find', 'order', 'reorder', 'limit', 'pluck', 'pick', 'ids', 'sum', 'average', 'minimum',
  'maximum', 'calculate', 'group', 'joins', 'left_joins', 'distinct', 'not', 'rewhere', 'offset', 'find_or_create_by', 'find_or_create_by!',
  'find_or_initialize_by', 'where_not', 'select_all', 'unscope', 'having',
]);

/** Methods that run SQL on a model class or relation. */
export const EXECUTING_METHODS = new Set([
  'find', 'find_by', 'find_by!', 'first', 'last', 'take', 'first!', 'last!', 'take!', 'sole', 'find_sole_by', 'exists?', 'count', 'pluck', 'pick',
  'ids', 'sum', 'average', 'minimum', 'maximum', 'calculate', 'to_a', 'load', 'each', 'map', 'find_each', 'any?', 'empty?', 'none?', 'size',
  'length', 'present?', 'blank?', 'find_by_id', 'first_or_create', 'first_or_initialize', 'find_or_create_by', 'find_or_initialize_by', 'collect',
  'find_or_create_by!', 'select_all', 'index_by', 'group_by', 'each_with_object', 'flat_map', 'to_h',
]);

/** Methods that load or count a relation per call and could be served from loaded records (`size`). */
export function isQueryName(name: string): boolean { return ASSOCIATION_QUERY_METHODS.has(name) || EXECUTING_METHODS.has(name); }

/** Relation methods that return another relation of the same model. */
export const RELATION_METHODS = new Set([
  'all', 'where', 'not', 'or', 'and', 'order', 'reorder', 'limit', 'offset', 'joins', 'left_joins', 'left_outer_joins',
  'includes', 'preload', 'eager_load', 'references', 'select', 'distinct', 'group', 'having', 'rewhere', 'unscope',
  'unscoped', 'extending', 'strict_loading', 'reverse_order', 'none', 'readonly', 'lock', 'merge', 'from', 'in_order_of',
  'excluding', 'without', 'page', 'per', 'paginate', 'per_page', 'padding', 'with', 'invert_where', 'regroup',
  'optimizer_hints', 'annotate', 'create_with', 'uniq', 'only', 'except', 'order_by',
  // active_record_union: `ordered.union_all(unordered)` is a relation of both.
  'union', 'union_all',
]);
