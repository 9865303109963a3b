// What a `where(…)` condition says about how many rows it picks: a few ids, a list of ids, one owner's rows,
// a recent time window or a calendar slice, the rows matching one value known only at run time, rows older
// than a time (a backlog). Shared by chains (values.ts) and scope bodies (scopes.ts).

/** The keys of a hash condition: `(a: 1, "b" => 2, :c => 3)` → a, b, c. */
function conditionKeys(args: string): [string, string][] {
  // `key: value`, `"key" => value`, `:key => value`, and Ruby 3.1's shorthand `key:` (the value is the local `key`).
  // A quoted key may name its table: `"casa_cases.casa_org_id": id` is the key `casa_org_id`.
  return [...args.matchAll(/(?:^|[(,{]|\s)\s*(?::|["'](?:[a-z_][a-z0-9_]*\.)?)?([a-z_][a-z0-9_]*)["']?(?::\s|:(?=\s*[,)}])|\s*=>)\s*/g)]
    .map((m) => [m[1], args.slice(m.index! + m[0].length)]);
}

/** The columns a hash condition compares with one value (`where(email_hash: h)`), not with a list or a range. */
export function singleValueColumns(args: string): string[] {
  return conditionKeys(args).filter(([, v]) => !/^(\[|nil\b|[^,)}]*\.\.)/.test(v.trim())).map(([k]) => k);
}

/** What a `where(…)` says about the number of rows (`args` is its argument text, parentheses included). */
export function whereShape(args: string, isBelongsTo: (key: string) => boolean = () => false): { bounded?: string; unsure?: string; ownerScoped?: string; aged?: string } {
  const text = `where${args}`;
  const ids = idCondition(args);
  if (ids === 'small') return { bounded: text };
  if (ids === 'list' || idListValue(args) || recentWindow(args) || calendarSlice(args) || aboveACount(args) || settingSwitchedOn(args)) return { unsure: text };
  // `where(community_id: c.id)` / `where(author: user)` is one owner's rows, like `community.things`: size unknown.
  const ownerKey = conditionKeys(args).some(([k, v]) => !/^nil\b/.test(v) && ((k.endsWith('_id') && k !== 'id') || isBelongsTo(k)));
  // `where("user_id = ?", user.id)`, `where(["(owner_id = ? AND …)", …])`: the same in SQL.
  // `where("owned_tag_sets.id = ?", set.id)` through a join: the rows of one joined record, also one owner's.
  const ownerSql = /^\(?\s*\[?\s*["'][^"']*\b[a-z_]+(_id|\.id)\s*=\s*(\?|:\w+)/.test(args) && !/,\s*nil\s*[,)\]]/.test(args);
  if (ownerKey || ownerSql || joinedOwner(args)) return { ownerScoped: args.length > 60 ? `${text.slice(0, 62)}…)` : text };
  if (runtimeValue(args)) return { unsure: text };
  const aged = olderThan(args);
  return aged ? { aged: text } : {};
}

/**
 * `where(contact_type_groups: { casa_org: org })`, `where(categories: { id: category.id })`: a joined table's
 * reference or id compared with one record or value, the rows of one joined record (like the SQL form above).
 * A literal compared this way (`{ active: true }`, `{ name: "News" }`) is a filter, not an owner.
 */
function joinedOwner(args: string): boolean {
  for (const nested of args.matchAll(/[a-z_][a-z0-9_]*["']?(?::\s*|\s*=>\s*)\{([^{}]*)\}/g)) {
    const owner = conditionKeys(`(${nested[1]})`).some(([k, v]) => {
      const value = /^([^,)}\n]*)/.exec(v)?.[1]?.trim() ?? '';
      const record = /^@?[a-z_][a-z0-9_]*(\.id)?$/.test(value) && !/^(true|false|nil|self)$/.test(value);
      return record && (k === 'id' || k.endsWith('_id') || !/^(name|title|state|status|kind|type|role)$/.test(k));
    });
    if (owner) return true;
  }
  return false;
}

/**
 * `where("EXTRACT(MONTH FROM birthday) = ?", …)`, `where("DATE(starts_at) = ?", day)`: one day's or month's
 * rows of a date column, as many as the calendar slice holds.
 */
function calendarSlice(args: string): boolean {
  return /^\(?\s*\[?\s*["'][^"']*\b(EXTRACT\s*\(\s*\w+\s+FROM|DATE_PART\s*\(|DATE\s*\(|MONTH\s*\(|DAYOFMONTH\s*\(|DAY\s*\(|strftime\s*\()/i.test(args)
    || conditionKeys(args).some(([k, v]) => /^(birthday|birth_date|date_of_birth|dob)$/.test(k) && !/^nil\b/.test(v));
}

/**
 * `where(enable_leaderboard: true)`, `where(send_reminders: true)`: the rows where someone switched a setting on
 * (a flag named for what it makes the app do), as many as opted in. A state (`published`, `confirmed`) is not this.
 */
function settingSwitchedOn(args: string): boolean {
  const keys = conditionKeys(args);
  return keys.length > 0 && keys.some(([k, v]) => SETTING_FLAG.test(k) && /^true\b/.test(v.trim()));
}
const SETTING_FLAG = /^(enable|send|reject|allow|notify|receive|accept|show|auto|opt_in|opted_in)_[a-z0-9_]+$|^[a-z0-9_]+_enabled$/;

/**
 * `where("taggings_count > ?", 1000)`, `where(followers_count: 500..)`: the rows above a counter's threshold, the
 * popular few (a top list), as many as pass it.
 */
function aboveACount(args: string): boolean {
  if (/^\(?\s*\[?\s*["'](?:\w+\.)?\w*_count(?:_cache)?\s*>=?\s*(\?|\d+)\s*["']/.test(args)) return true;
  return conditionKeys(args).some(([k, v]) => /_count(_cache)?$/.test(k) && /^\(?\s*[\w.]+\s*\.\.\.?\s*\)?\s*[,)}]/.test(v));
}

/**
 * `where(address: email_address)`, `where(image_url: url(:large))`: the rows matching one value the code
 * computes at run time, usually a few (a status or flag compared with a literal is a filter, not this).
 */
function runtimeValue(args: string): boolean {
  const keys = conditionKeys(args);
  if (keys.length === 0) return false;
  return keys.every(([k, v]) => {
    if (/^(status|state|kind|type|role|visibility|.*_type|.*_status|.*_state)$/.test(k)) return false;
    const value = /^([^,)}\n]*)/.exec(v)?.[1]?.trim() ?? '';
    return /^(@?[a-z_][a-z0-9_]*|[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_?]*)+|[a-z_][a-z0-9_]*\(.*)$/.test(value)
      && !/^(true|false|nil|self)$/.test(value) && !/\.\.|\.(ago|from_now|now|today|current)\b/.test(value) && !/^(params|Time|Date)\b/.test(value);
  });
}

/**
 * `where(created_at: ...3.days.ago)`, `where("exported_at < ?", 14.days.ago)`: rows older than a time. With a
 * loop that deletes or rewrites each row, it is a backlog each run drains (a pruner), not the whole table.
 */
function olderThan(args: string): boolean {
  if (/^\(?\s*\[?\s*["'](?:\w+\.)?\w+_(at|on|date|time)\s*<=?\s*\?["']\s*,/.test(args)) return true;
  return conditionKeys(args).some(([k, v]) => /_(at|on|date|time)$/.test(k) && /^\(?\s*\.\.\.?\s*[^,)}]/.test(v));
}

/** `where(id: 5)` / `where(id: [1, 2])` pick a few rows; `where(id: ids)` as many as the list has. */
function idCondition(args: string): 'small' | 'list' | undefined {
  // `where("id IN (?)", ids)`, `where("posts.id IN (?)", ids)`: the SQL spelling of `where(id: ids)`.
  if (/^\(?\s*["'](?:\w+\.)?id\s+IN\s*\(\?\)["']\s*,/i.test(args)) return 'list';
  // `where("tagname IN (?)", names)`: the rows matching a given list, however it is keyed (not `NOT IN`).
  if (/^\(?\s*["'](?:\w+\.)?\w+\s+IN\s*\(\?\)["']\s*,\s*[a-z_@][\w.]*\s*\)?$/i.test(args)) return 'list';
  const m = /^\(?\s*(?::id\s*=>|id:|"id"\s*=>)\s*(.*?)\s*\)?$/s.exec(args);
  // `where(id: ids, state: …)`, `where(posts: { id: ids })`: an id condition among others still picks by id.
  const among = m ? undefined : conditionKeys(args).find(([k]) => k === 'id');
  if (!m && !among) return undefined;
  const value = m ? m[1] : /^(\[[^\]]*\]|[^,)}\s]+)/.exec(among![1])?.[1] ?? '';
  // `where(mappings: { id: nil })` after a left join: the rows without a joined row, not a list of ids.
  if (value === 'nil') return undefined;
  if (/^\[[^\]]*\]$/.test(value)) return value.split(',').length <= 50 ? 'small' : 'list';
  if (/^(\d+|params\[:\w*id\]|[a-z_]*_id|id|@?[a-z_]*\.id)$/.test(value)) return 'small';
  return 'list';
}

/** `where(thread: thread_ids)`: rows matching a list of ids held in a local or argument (not a query of its own). */
function idListValue(args: string): boolean {
  return conditionKeys(args).some(([, v]) => /^@?[a-z_]*_ids\s*[,)}]/.test(v));
}

const RECENT = /^(\d+)\.(minutes?|hours?|days?|weeks?|months?)\.ago$/;
const HOURS: Record<string, number> = { minute: 1 / 60, hour: 1, day: 24, week: 168, month: 744 };
/** The longest window still read as "recent": a month (a digest, a resend, a monthly report). */
const RECENT_HOURS = 744;
/** `created_at > (now() - '1 month'::interval)`, `created_at >= NOW() - INTERVAL '7 days'`: a window in SQL. */
const SQL_WINDOW = /\b\w+_at\s*>=?\s*\(?\s*(?:now\(\)|current_timestamp|current_date|localtimestamp)\s*-\s*(?:interval\s*)?'(\d+)\s*(minutes?|hours?|days?|weeks?|months?)'/i;

/** `where(created_at: 2.days.ago..)`: rows written in a recent window of at most a month (a digest, a resend). */
function recentWindow(args: string): boolean {
  const sqlWindow = /^\(?\s*\[?\s*["']/.test(args) ? SQL_WINDOW.exec(args) : null;
  if (sqlWindow && Number(sqlWindow[1]) * HOURS[sqlWindow[2].toLowerCase().replace(/s$/, '')] <= RECENT_HOURS) return true;
  // `where("posts.created_at >= ?", 1.day.ago)`: the same in SQL; `>= ?` with a time the code computes
  // (`recent_time`, `since`) is a window of unknown length.
  const sql = /^\(?\s*["'](?:\w+\.)?(?:\w+_at|\w+_on|date|\w+_date)\s*>=?\s*\?["']\s*,\s*([^,)]+?)\s*\)?$/.exec(args);
  if (sql) return withinAMonth(sql[1]) || computedTime(sql[1]);
  // `where("created_at < ? AND created_at > ?", now - 2.days, now - 10.days)`: both ends of a window.
  const both = /^\(?\s*["']([^"']*)["']/.exec(args)?.[1];
  if (both) {
    const lower = [...both.matchAll(/\b(\w+_at)\s*>=?\s*\?/g)].map((m) => m[1]);
    if (lower.some((col) => new RegExp(`\\b${col}\\s*<=?\\s*\\?`).test(both))) return true;
    // `where("orders_close_at BETWEEN (?) AND (?)", 1.hour.ago, Time.zone.now)`: the same window, in one operator.
    if (/\b(\w+_at|\w+_on|date|\w+_date)\s+BETWEEN\s+\(?\s*\?\s*\)?\s+AND\s+\(?\s*\?\s*\)?/i.test(both)) return true;
  }
  return conditionKeys(args).some(([k, v]) => {
    if (!k.endsWith('_at')) return false;
    const range = /^\(?\s*([^.,)]+(?:\.[a-z_]+)*)\s*\.\.\.?\s*([^,)]*?)\s*\)?\s*[,)}]/.exec(v);
    return !!range && (withinAMonth(range[1]) || range[2].trim() !== '' || computedTime(range[1]));
  });
}

function withinAMonth(time: string): boolean {
  const from = RECENT.exec(time.trim());
  return !!from && Number(from[1]) * HOURS[from[2].replace(/s$/, '')] <= RECENT_HOURS;
}

/** A time the code computes from a local, argument or method (`recent_time`, `since`), not a literal age. */
function computedTime(time: string): boolean {
  return /^@?[a-z_][a-z0-9_]*$/.test(time.trim());
}
