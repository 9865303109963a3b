// A Rails app held in memory for query-rule tests: models, controllers, views and db/schema.rb are
// indexed the way the project layer does it, then a rule runs on one of the files.
import * as path from 'node:path';
import type { AppFacts } from '../../server/src/core/appFacts';
import type { Rule } from '../../server/src/core/rule';
import type { Finding, Fix } from '../../server/src/core/types';
import { fileKindOf } from '../../server/src/core/fileKind';
import { extractModels, ModelIndex } from '../../server/src/models/modelIndex';
import { ControllerIndex, extractControllers, extractHelperSerializerUses, extractView } from '../../server/src/queries/controllerIndex';
import { extractPolicies } from '../../server/src/queries/policies';
import { extractComponents } from '../../server/src/queries/components';
import { parseRuby } from '../../server/src/parsing/treeSitter';
import { rubyOf, templateLanguage } from '../../server/src/parsing/templates';
import { readSchema } from '../../server/src/project/schema';
import { isDecoratorFile, mayReopenModels } from '../../server/src/project/modelFiles';
import { applyEdits } from '../../server/src/parsing/rubyEdits';
import { APP_ROOT, appFacts, run } from './ruleTester';
import { APP_CLASSES_KEY, AppClassResolver } from '../../server/src/callbacks/appClasses';

/** The app's plain classes and helpers, read from the in-memory files the way the project layer reads them from disk. */
const CLASS_ROOTS = ['app/services', 'app/helpers', 'app/lib', 'app/presenters', 'app/serializers', 'lib'];

export type Files = Record<string, string>;

export function queryApp(files: Files): AppFacts {
  const models = new ModelIndex();
  const controllers = new ControllerIndex();
  let schema;
  for (const [rel, code] of Object.entries(files)) {
    const file = path.join(APP_ROOT, rel);
    const tree = parseRuby(rubyOf(rel, code));
    try {
      if (templateLanguage(rel) && (rel.startsWith('app/views/') || rel.startsWith('app/components/'))) controllers.updateView(file, extractView(tree, file));
      else if (rel.startsWith('app/models/') || (isDecoratorFile(rel) && mayReopenModels(code))) models.update(file, extractModels(tree, file));
      else if (rel.startsWith('app/controllers/')) controllers.updateController(file, extractControllers(tree, file));
      else if (rel.startsWith('app/components/') && rel.endsWith('.rb')) controllers.updateComponent(file, extractComponents(tree, file));
      else if (rel.startsWith('app/policies/')) controllers.updatePolicies(file, extractPolicies(tree));
      else if (rel.startsWith('app/helpers/') && rel.endsWith('.rb')) controllers.updateHelper(file, extractHelperSerializerUses(tree, file));
      else if (rel === 'db/schema.rb') schema = readSchema(tree);
    } finally {
      tree.delete();
    }
  }
  const facts = appFacts({ models, controllers, schema });
  const byPath = new Map(Object.entries(files).map(([rel, code]) => [path.join(APP_ROOT, rel), code]));
  facts.shared.set(APP_CLASSES_KEY, new AppClassResolver(() => CLASS_ROOTS.map((r) => path.join(APP_ROOT, r)), (file) => byPath.get(file)));
  return facts;
}

/** Runs `rule` on `rel` of the app made of `base` and `extra` files. Opt-in rules run as if the user enabled them. */
export function check(rule: Rule, files: Files, rel: string, config: Record<string, unknown> = {}): Finding[] {
  const app = queryApp(files);
  app.config = { ...app.config, rules: { ...app.config.rules }, sections: { ...app.config.sections, ...config } };
  if (rule.meta.enabledByDefault === false) app.config.rules[rule.meta.id] = rule.meta.defaultSeverity;
  return run(rule, files[rel], { file: rel, kind: fileKindOf(rel), app });
}

/** Applies a fix to every file it edits; returns the new texts by relative path. */
export function applyFixToApp(files: Files, fix: Fix): Files {
  const out: Files = { ...files };
  const byFile = new Map<string, Fix['edits']>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    const rel = path.relative(APP_ROOT, file).replace(/\\/g, '/');
    out[rel] = applyEdits(files[rel], edits);
  }
  return out;
}

/** A small blog: posts with authors, comments (counter cache), tags through taggings, categories. */
export const BLOG: Files = {
  'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
  'app/models/post.rb': [
    'class Post < ApplicationRecord',
    '  belongs_to :author, class_name: "User"',
    '  belongs_to :category',
    '  has_many :comments',
    '  has_many :taggings',
    '  has_many :tags, through: :taggings',
    '  scope :published, -> { where(published: true) }',
    '',
    '  def self.titles',
    '    published.map(&:title)',
    '  end',
    'end',
    '',
  ].join('\n'),
  'app/models/comment.rb': 'class Comment < ApplicationRecord\n  belongs_to :post, counter_cache: true\n  belongs_to :user\nend\n',
  'app/models/user.rb': 'class User < ApplicationRecord\n  has_many :posts, foreign_key: :author_id\n  has_one :profile\nend\n',
  'app/models/profile.rb': 'class Profile < ApplicationRecord\n  belongs_to :user\nend\n',
  'app/models/tagging.rb': 'class Tagging < ApplicationRecord\n  belongs_to :post\n  belongs_to :tag\nend\n',
  'app/models/tag.rb': 'class Tag < ApplicationRecord\n  has_many :taggings\nend\n',
  'app/models/category.rb': 'class Category < ApplicationRecord\n  has_many :posts\nend\n',
  'db/schema.rb': [
    'ActiveRecord::Schema[7.2].define(version: 2025_01_01_000000) do',
    '  create_table "posts", force: :cascade do |t|',
    '    t.string "title"',
    '    t.text "body"',
    '    t.bigint "author_id"',
    '    t.bigint "category_id"',
    '    t.integer "comments_count", default: 0',
    '    t.boolean "published"',
    '    t.timestamps',
    '  end',
    '  create_table "comments", force: :cascade do |t|',
    '    t.bigint "post_id"',
    '    t.bigint "user_id"',
    '    t.text "body"',
    '  end',
    '  create_table "users", force: :cascade do |t|',
    '    t.string "name"',
    '    t.string "email"',
    '  end',
    '  create_table "profiles", force: :cascade do |t|',
    '    t.bigint "user_id"',
    '  end',
    '  create_table "tags", force: :cascade do |t|',
    '    t.string "name"',
    '  end',
    '  create_table "taggings", force: :cascade do |t|',
    '    t.bigint "post_id"',
    '    t.bigint "tag_id"',
    '  end',
    '  create_table "categories", force: :cascade do |t|',
    '    t.string "name"',
    '  end',
    'end',
    '',
  ].join('\n'),
};
