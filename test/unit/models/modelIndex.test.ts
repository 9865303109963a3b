import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { extractModels, ModelIndex } from '../../../server/src/models/modelIndex';
import { classify, pluralize, singularize, tableize } from '../../../server/src/models/inflector';
import { initParsers, parseRuby } from '../../../server/src/parsing/treeSitter';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { makeApp, SAMPLE_APP } from '../../helpers/fixtures';
import { tableSizes } from '../../../server/src/queries/tableSize';

before(initParsers);

function index(files: Record<string, string>): ModelIndex {
  const idx = new ModelIndex();
  for (const [file, code] of Object.entries(files)) {
    const tree = parseRuby(code);
    idx.update(file, extractModels(tree, file));
    tree.delete();
  }
  return idx;
}

describe('inflector', () => {
  test('Rails default inflections', () => {
    assert.deepEqual(['comment', 'category', 'person', 'status', 'address', 'box', 'half'].map(pluralize), ['comments', 'categories', 'people', 'statuses', 'addresses', 'boxes', 'halves']);
    assert.deepEqual(['comments', 'categories', 'people', 'statuses', 'addresses', 'news', 'line_items'].map(singularize), ['comment', 'category', 'person', 'status', 'address', 'news', 'line_item']);
    assert.equal(classify('line_items'), 'LineItem');
    assert.equal(tableize('Admin::UserProfile'), 'user_profiles');
  });
});

describe('model index', () => {
  let idx: ModelIndex;
  before(() => { idx = index(FILES); });
  const FILES = {
    'app/models/post.rb': 'class Post < ApplicationRecord\n  include Commentable\n  belongs_to :author, class_name: "User", touch: true\n  has_many :tags, through: :taggings\n  has_many :recent, -> { order(:id) }, class_name: "Comment"\n  scope :published, -> { where(published: true) }\n  accepts_nested_attributes_for :tags\n  def title_upcase; title.upcase; end\nend\n',
    'app/models/concerns/commentable.rb': 'module Commentable\n  extend ActiveSupport::Concern\n  included do\n    has_many :comments, dependent: :destroy, counter_cache: true\n  end\nend\n',
    'app/models/admin/report.rb': 'module Admin\n  class Report < ApplicationRecord\n    self.table_name = "admin_reports"\n    belongs_to :post\n  end\nend\n',
    'app/models/special_post.rb': 'class SpecialPost < Post\nend\n',
    'app/models/not_a_model.rb': 'class NotAModel\n  def comments; []; end\nend\n',
  };

  test('associations with options, through concerns and STI', () => {
    const author = idx.association('Post', 'author')!;
    assert.deepEqual([author.macro, author.className, author.touch, author.location.line], ['belongs_to', 'User', true, 2]);
    assert.equal(idx.association('Post', 'tags')!.through, 'taggings');
    assert.equal(idx.association('Post', 'recent')!.scoped, true);
    const comments = idx.association('Post', 'comments')!;
    assert.deepEqual([comments.macro, comments.className, comments.dependent, comments.counterCache], ['has_many', 'Comment', 'destroy', true]);
    assert.equal(idx.association('SpecialPost', 'comments')?.name, 'comments', 'inherited through the superclass');
    assert.equal(idx.association('NotAModel', 'comments'), undefined);
  });

  test('models, namespaces and table names', () => {
    assert.deepEqual(idx.models().map((m) => m.name).sort(), ['Admin::Report', 'Post', 'SpecialPost']);
    const report = idx.model('Admin::Report')!;
    assert.equal(idx.tableName(report), 'admin_reports');
    assert.equal(idx.tableName(idx.model('SpecialPost')!), 'posts', 'STI subclasses share the parent table');
    assert.equal(idx.modelForTable('posts')?.name, 'Post');
    assert.equal(idx.target(report, report.associations.get('post')!)?.name, 'Post');
    assert.deepEqual([...idx.model('Post')!.scopes], ['published']);
    assert.ok(idx.model('Post')!.methods.has('title_upcase'));
  });

  test('the project layer builds the index from app/models and keeps it current', () => {
    const root = makeApp({ 'app/models/post.rb': 'class Post < ApplicationRecord\n  has_many :comments\nend\n' });
    const ws = new Workspace({ rules: allRules });
    const app = ws.appFor(path.join(root, 'app/models/post.rb'));
    assert.ok(app.getFacts().models!.association('Post', 'comments'));
    const sample = ws.appFor(path.join(SAMPLE_APP, 'app/models/appointment.rb')).getFacts().models!;
    assert.equal(sample.association('Appointment', 'patient')?.touch, true);
    assert.ok(sample.model('Appointment')!.includes.includes('Notifiable'));
  });
});

describe('table size after an edit', () => {
  // The tenants (tables three models belong to) are derived from the whole index once; an edited model file that adds
  // the third `belongs_to` must turn the table back into a tenant for the next analysis.
  test('a table with two optional references grows until a third model belongs to it', () => {
    const idx = index({
      'app/models/event.rb': 'class Event < ApplicationRecord\nend\n',
      'app/models/grant.rb': 'class Grant < ApplicationRecord\nend\n',
      'app/models/tenant.rb': 'class Tenant < ApplicationRecord\n  belongs_to :event, optional: true\n  belongs_to :grant, optional: true\nend\n',
      'app/models/shelf.rb': 'class Shelf < ApplicationRecord\n  belongs_to :tenant\nend\n',
      'app/models/bin.rb': 'class Bin < ApplicationRecord\n  belongs_to :tenant\nend\n',
      'app/models/crate.rb': 'class Crate < ApplicationRecord\nend\n',
    });
    const tenant = () => idx.models().find((m) => m.name === 'Tenant')!;
    assert.equal(tableSizes(idx)(tenant()), 'growing');
    const tree = parseRuby('class Crate < ApplicationRecord\n  belongs_to :tenant\nend\n');
    idx.update('app/models/crate.rb', extractModels(tree, 'app/models/crate.rb'));
    tree.delete();
    assert.equal(tableSizes(idx)(tenant()), 'root');
  });
});
