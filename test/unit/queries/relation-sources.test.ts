// Where a relation comes from when the app does not build it with where/scope alone: a concern's old-style
// `module ClassMethods` filter, Active Storage's generated `with_attached_<name>` scope, friendly_id's
// `friendly`. Multi-file fixtures: the concern or model in one file, the controller and view in others.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const app = (files: Files): Files => ({ ...BLOG, ...files });
const VIEW = 'app/views/posts/index.html.erb';
const LOOP = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
const controller = (chain: string): string => `class PostsController < ApplicationController\n  def index\n    @posts = ${chain}\n  end\nend\n`;

const FILTERABLE = [
  'module Filterable',
  '  extend ActiveSupport::Concern',
  '',
  '  module ClassMethods',
  '    def filter_by(params)',
  '      results = where(nil)',
  '      params.each { |key, value| results = results.public_send(key, value) if value.present? }',
  '      results',
  '    end',
  '  end',
  'end',
  '',
].join('\n');
const withFilterable = (files: Files): Files => app({
  'app/models/concerns/filterable.rb': FILTERABLE,
  'app/models/post.rb': BLOG['app/models/post.rb'].replace('class Post < ApplicationRecord\n', 'class Post < ApplicationRecord\n  include Filterable\n'),
  ...files,
});

describe('a concern\'s module ClassMethods method that returns a relation', () => {
  test('keeps the relation, so the view\'s per-row read is an N+1', () => {
    const files = withFilterable({ 'app/controllers/posts_controller.rb': controller('Post.published.filter_by(params.slice(:category_id))'), [VIEW]: LOOP });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
    assert.match(findings[0].message, /^`post\.author` runs one query per post in the loop/);
  });

  test('near miss: a ClassMethods method that returns something else (a count) is not a relation', () => {
    const concern = FILTERABLE.replace('      results\n', '      results.count\n');
    const files = withFilterable({
      'app/models/concerns/filterable.rb': concern,
      'app/controllers/posts_controller.rb': controller('Post.published.filter_by(params.slice(:category_id))'),
      [VIEW]: LOOP,
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });
});

describe('generated relation methods', () => {
  test('`with_attached_<name>` of a has_one_attached keeps the relation', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  has_many :comments\n', '  has_many :comments\n  has_one_attached :cover\n'),
      'app/controllers/posts_controller.rb': controller('Post.where(published: true).with_attached_cover'),
      [VIEW]: LOOP,
    });
    assert.deepEqual(check(associationInLoop, files, VIEW).map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
  });

  test('near miss: `with_attached_<name>` on a model without that attachment stays unknown', () => {
    const files = app({ 'app/controllers/posts_controller.rb': controller('Post.where(published: true).with_attached_cover'), [VIEW]: LOOP });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });

  test('friendly_id: `Category.friendly.find(slug)` is one category, its posts a collection', () => {
    const files = app({
      'app/models/category.rb': 'class Category < ApplicationRecord\n  extend FriendlyId\n  friendly_id :name, use: :slugged\n  has_many :posts\nend\n',
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  before_action :set_category\n\n  def index\n    @posts = @category.posts\n  end\n\n  private\n\n  def set_category\n    @category = Category.friendly.find(params[:category_id])\n  end\nend\n',
      [VIEW]: LOOP,
    });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[2, 7, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many as one Category has in `posts`/);
  });

  test('near miss: `friendly` on a model that does not use friendly_id stays unknown', () => {
    const files = app({
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @category = Category.friendly.find(params[:category_id])\n    @posts = @category.posts\n  end\nend\n',
      [VIEW]: LOOP,
    });
    assert.deepEqual(check(associationInLoop, files, VIEW), []);
  });
});

describe('a class method that loads a page of its relation into an Array', () => {
  const PAGINATED = [
    '  class << self',
    '    def to_a_paginated(limit, options = {})',
    '      if options[:min_id]',
    '        page_after(limit, options[:min_id]).reverse',
    '      else',
    '        page_before(limit, options[:max_id]).to_a',
    '      end',
    '    end',
    '',
    '    def page_after(limit, min_id)',
    '      order(id: :asc).limit(limit).where("id > ?", min_id)',
    '    end',
    '',
    '    def page_before(limit, max_id = nil)',
    '      query = order(id: :desc).limit(limit)',
    '      query = query.where("id < ?", max_id) if max_id',
    '      query',
    '    end',
    '  end',
    '',
  ].join('\n');
  const withPaging = (files: Files): Files => app({ 'app/models/post.rb': BLOG['app/models/post.rb'].replace(/\nend\n$/, `\n${PAGINATED}end\n`), ...files });

  test('its branches return the records of other class methods: the view\'s loop over them reads per row (bounded: a hint)', () => {
    const files = withPaging({ 'app/controllers/posts_controller.rb': controller('Post.where(published: true).to_a_paginated(20, params)'), [VIEW]: LOOP });
    const findings = check(associationInLoop, files, VIEW);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
    assert.equal(findings[0].severity, 'hint');
    assert.match(findings[0].message, /\(N\+1; bounded: bounded by `to_a_paginated`/);
  });

  test('near misses: preloaded before the call; a class method whose branch returns something else', () => {
    const preloaded = withPaging({ 'app/controllers/posts_controller.rb': controller('Post.includes(:author).to_a_paginated(20, params)'), [VIEW]: LOOP });
    assert.deepEqual(check(associationInLoop, preloaded, VIEW), []);
    const mixed = withPaging({ 'app/controllers/posts_controller.rb': controller('Post.to_a_paginated(20, params)'), [VIEW]: LOOP });
    mixed['app/models/post.rb'] = mixed['app/models/post.rb'].replace('page_before(limit, options[:max_id]).to_a', 'Rails.cache.fetch("posts") { [] }');
    assert.deepEqual(check(associationInLoop, mixed, VIEW), []);
  });
});
