// Where a controller's instance variables come from when the action does not assign them itself: a before_action
// defined in a controller concern (`include SetCategory`, methods inside `included do … end`), an assignment that
// picks between two finders with `?:`, and a `rescue` that assigns a fallback and then redirects (the action never
// runs with it). Multi-file fixtures: the concern, the controller and the view in separate files.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const CONTROLLER = 'app/controllers/posts_controller.rb';
const CATEGORY = 'class Category < ApplicationRecord\n  has_many :posts\nend\n';
const INDEX = [
  'class PostsController < ApplicationController',
  '  include SetCategory',
  '  before_action :set_category',
  '',
  '  def index',
  '    @authors = @category.posts.published.map(&:author)',
  '  end',
  'end',
  '',
].join('\n');
const concern = (body: string[]): string => [
  'module SetCategory',
  '  extend ActiveSupport::Concern',
  '',
  '  included do',
  '    private',
  '',
  '    def set_category',
  ...body.map((l) => `      ${l}`),
  '    end',
  '  end',
  'end',
  '',
].join('\n');
const app = (files: Files): Files => ({ ...BLOG, 'app/models/category.rb': CATEGORY, [CONTROLLER]: INDEX, ...files });

describe('an instance variable a controller concern\'s before_action assigns', () => {
  test('`@category` from the concern\'s `included do` method: its posts are a collection, `&:author` an N+1', () => {
    const files = app({ 'app/controllers/concerns/set_category.rb': concern(['@category = Category.find(params[:category_id])']) });
    const findings = check(associationInLoop, files, CONTROLLER);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[6, 46, 'hint']]);
    assert.match(findings[0].message, /^`&:author` runs one query per post in the loop \(N\+1; size unknown: as many as one Category has in `posts`\)/);
  });

  test('either branch of a `?:` finds one category: still one category', () => {
    const files = app({ 'app/controllers/concerns/set_category.rb': concern(['@category = admin? ? Category.find(params[:id]) : Category.find_by_slug!(params[:id])']) });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER).map((f) => at(f).line), [6]);
  });

  test('a `rescue` that assigns a fallback and redirects does not reach the action', () => {
    const files = app({
      'app/controllers/concerns/set_category.rb': concern([
        '@category = Category.find(params[:category_id])',
        'rescue ActiveRecord::RecordNotFound',
        '  @category = Redirect.lookup(params[:category_id])',
        '  redirect_to categories_path',
      ]),
    });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER).map((f) => at(f).line), [6]);
  });

  test('near miss: a `rescue` that assigns a fallback and goes on: the fallback is unknown, so `@category` is', () => {
    const files = app({
      'app/controllers/concerns/set_category.rb': concern([
        '@category = Category.find(params[:category_id])',
        'rescue ActiveRecord::RecordNotFound',
        '  @category = Redirect.lookup(params[:category_id])',
      ]),
    });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER), []);
  });

  test('near miss: a `?:` whose other branch is not a category leaves `@category` unknown', () => {
    const files = app({ 'app/controllers/concerns/set_category.rb': concern(['@category = admin? ? Category.find(params[:id]) : Redirect.lookup(params[:id])']) });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER), []);
  });

  test('near miss: the concern is not included, so its method is not this controller\'s', () => {
    const files = app({
      'app/controllers/concerns/set_category.rb': concern(['@category = Category.find(params[:category_id])']),
      [CONTROLLER]: INDEX.replace('  include SetCategory\n', ''),
    });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER), []);
  });

  test('near miss: the posts are loaded with their authors', () => {
    const files = app({
      'app/controllers/concerns/set_category.rb': concern(['@category = Category.find(params[:category_id])']),
      [CONTROLLER]: INDEX.replace('@category.posts.published.map', '@category.posts.published.includes(:author).map'),
    });
    assert.deepEqual(check(associationInLoop, files, CONTROLLER), []);
  });
});

describe('an ivar reassigned from itself or built from another ivar with several assignments (an Atom feed view)', () => {
  const FEED = 'app/views/categories/feed.atom.builder';
  const categories = (posts: [string, string]): string => [
    'class CategoriesController < ApplicationController',
    '  def feed',
    '    @category = Category.find(params[:id])',
    '    @category = @category.merged_into if @category.merged_into',
    '    if params[:all]',
    `      @posts = ${posts[0]}`,
    '    else',
    `      @posts = ${posts[1]}`,
    '    end',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (posts: [string, string]): Files => ({
    ...BLOG,
    'app/models/category.rb': 'class Category < ApplicationRecord\n  belongs_to :merged_into, class_name: "Category", optional: true\n  has_many :posts\n  has_many :features\n  has_many :featured_posts, through: :features, source: :featurable, source_type: "Post"\nend\n',
    'app/models/feature.rb': 'class Feature < ApplicationRecord\n  belongs_to :category\n  belongs_to :featurable, polymorphic: true\nend\n',
    'app/controllers/categories_controller.rb': categories(posts),
    'app/helpers/posts_helper.rb': 'module PostsHelper\n  def post_summary(post)\n    "#{post.title} by #{post.author.name}"\n  end\nend\n',
    [FEED]: 'atom_feed do |feed|\n  @posts.each do |post|\n    feed.entry post do |entry|\n      entry.summary post_summary(post), type: "html"\n    end\n  end\nend\n',
  });

  test('`@category` (found, then maybe replaced by its merged_into) is a category; `@posts` either branch\'s posts: the helper reads `author` per post', () => {
    const findings = check(associationInLoop, files(['@category.posts.order(:id)', '@category.posts.published.order(:id)']), FEED);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[4, 21, 'hint']]);
    assert.match(findings[0].message, /^`post_summary` reads `author` of the post it is passed: read in `PostsHelper#post_summary`/);
  });

  test('a through association with `source_type:` loads that model', () => {
    const findings = check(associationInLoop, files(['@category.featured_posts.order(:id)', '@category.posts.order(:id)']), FEED);
    assert.deepEqual(findings.map((f) => at(f).line), [4]);
  });

  test('near miss: both branches preload the authors', () => {
    assert.deepEqual(check(associationInLoop, files(['@category.posts.includes(:author)', '@category.posts.published.includes(:author)']), FEED), []);
  });

  test('near miss: one branch is a value the analysis cannot tell (a service\'s return): unknown, silent', () => {
    assert.deepEqual(check(associationInLoop, files(['@category.posts.order(:id)', 'CategoryFeed.new(@category).posts']), FEED), []);
  });
});

describe('an ivar narrowed step by step in its action (`@posts = @posts.limit(20)`)', () => {
  const FEED = 'app/views/posts/feed.rss.builder';
  const files = (steps: string[]): Files => ({
    ...BLOG,
    'app/controllers/posts_controller.rb': ['class PostsController < ApplicationController', '  def feed', '    @posts = Post.published', ...steps.map((l) => `    ${l}`), '  end', 'end', ''].join('\n'),
    [FEED]: 'xml.channel do\n  @posts.each do |post|\n    xml.author post.author.name\n  end\nend\n',
  });

  test('a step that only sometimes runs leaves either value: the authors are not always preloaded', () => {
    const findings = check(associationInLoop, files(['@posts = @posts.where(category_id: params[:category_id]) if params[:category_id]', '@posts = @posts.includes(:author) if params[:authors]']), FEED);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[3, 16, 'warning']]);
  });

  test('near miss: `@posts += more` adds other rows: the sum is not either relation', () => {
    assert.deepEqual(check(associationInLoop, files(['@posts = @posts.includes(:author).to_a', '@posts += Post.where(featured: true)']), FEED), []);
  });

  test('near miss: the HTML path of `respond_to` preloads the authors (an Atom feed of the same action does not count)', () => {
    const html = files(['respond_to do |format|', '  format.html { @posts = @posts.includes(:author).page(params[:page]) }', '  format.csv { render csv: @posts }', 'end']);
    html['app/views/posts/feed.html.erb'] = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
    assert.deepEqual(check(associationInLoop, html, 'app/views/posts/feed.html.erb'), []);
  });

  test('near miss: the last steps always run: twenty posts with their authors', () => {
    assert.deepEqual(check(associationInLoop, files(['@posts = @posts.where(category_id: params[:category_id]) if params[:category_id]', '@posts = @posts.limit(20)', '@posts = @posts.includes(:author)']), FEED), []);
  });
});

describe('a partial of a child controller rendered from its parent controller\'s template (Rails template inheritance)', () => {
  const PAGE = 'app/views/users/post_comments/_page.html.erb';
  const files = (extra: Files = {}): Files => ({
    ...BLOG,
    'app/controllers/users/comments_controller.rb': 'module Users\n  class CommentsController < ApplicationController\n  end\nend\n',
    'app/controllers/users/post_comments_controller.rb': [
      'module Users',
      '  class PostCommentsController < CommentsController',
      '    def index',
      '      @comments = Comment.where(user_id: params[:user_id]).includes(:user)',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n'),
    // The child has no users/post_comments/index: Rails renders the parent's, whose `render "page"` finds the child's partial.
    'app/views/users/comments/index.html.erb': '<h1>Comments</h1>\n<%= render partial: "page" %>\n',
    [PAGE]: '<% @comments.each do |comment| %>\n  <%= comment.user.name %> on <%= comment.post.title %>\n<% end %>\n',
    ...extra,
  });

  test('the child action\'s ivar reaches the partial (through an empty parent class): the per-row read it does not preload is reported', () => {
    assert.deepEqual(check(associationInLoop, files(), PAGE).map((f) => [at(f).line, at(f).column, f.message.split(' (')[0]]),
      [[2, 35, '`comment.post` runs one query per comment in the loop']]);
  });

  test('near miss: the child has its own index template (which does not render the partial), so the parent\'s is not used', () => {
    assert.deepEqual(check(associationInLoop, files({ 'app/views/users/post_comments/index.html.erb': '<h1>Mine</h1>\n' }), PAGE), []);
  });

  test('a helper_method of the child controller reaches the partial the same way (its relation is looped over there)', () => {
    const child = [
      'module Users',
      '  class PostCommentsController < CommentsController',
      '    helper_method :recent_comments',
      '',
      '    def index',
      '    end',
      '',
      '    private',
      '',
      '    def recent_comments',
      '      Comment.where(user_id: params[:user_id]).includes(:user)',
      '    end',
      '  end',
      'end',
      '',
    ].join('\n');
    const page = '<% recent_comments.each do |comment| %>\n  <%= comment.user.name %> on <%= comment.post.title %>\n<% end %>\n';
    const findings = check(associationInLoop, files({ 'app/controllers/users/post_comments_controller.rb': child, [PAGE]: page }), PAGE);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.message.split(' (')[0]]),
      [['queries/association-in-loop', 2, 35, '`comment.post` runs one query per comment in the loop']]);
  });
});

describe('an empty controller class between an action and the parent that assigns its ivars', () => {
  test('`class Admin::MiddleController < BaseController; end` keeps BaseController\'s before_action in the chain', () => {
    const files: Files = {
      ...BLOG,
      'app/controllers/base_controller.rb': 'class BaseController < ApplicationController\n  before_action :load_posts\n\n  private\n\n  def load_posts\n    @posts = Post.where(published: true)\n  end\nend\n',
      'app/controllers/admin/middle_controller.rb': 'module Admin\n  class MiddleController < BaseController\n  end\nend\n',
      'app/controllers/admin/posts_controller.rb': 'module Admin\n  class PostsController < MiddleController\n    def index\n    end\n  end\nend\n',
      'app/views/admin/posts/index.html.erb': '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    };
    assert.deepEqual(check(associationInLoop, files, 'app/views/admin/posts/index.html.erb').map((f) => [at(f).line, at(f).column]), [[2, 7]]);
  });
});

describe('a partial two pages render, one of which preloads what it reads', () => {
  test('the message names the page whose relation misses the preload, not the first one found', () => {
    const files: Files = {
      ...BLOG,
      'app/controllers/archives_controller.rb': 'class ArchivesController < ApplicationController\n  def index\n    @posts = Post.includes(:author).where(published: true)\n  end\nend\n',
      'app/controllers/drafts_controller.rb': 'class DraftsController < ApplicationController\n  def index\n    @posts = Post.where(published: false)\n  end\nend\n',
      'app/views/archives/index.html.erb': '<%= render "shared/list" %>\n',
      'app/views/drafts/index.html.erb': '<%= render "shared/list" %>\n',
      'app/views/shared/_list.html.erb': '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    };
    const findings = check(associationInLoop, files, 'app/views/shared/_list.html.erb');
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column]), [[2, 7]]);
    assert.match(findings[0].message, /where the posts are loaded \(app\/controllers\/drafts_controller\.rb:3\)/);
    // human-essentials 0d68ddc6f: the title named both actions though only the one without the preload is edited.
    const [fix] = findings[0].fixes ?? [];
    assert.equal(fix?.title, 'Add `.includes(:author)` in DraftsController#index');
    assert.deepEqual(fix.edits.map((e) => e.file.replace(/^.*\/app\//, 'app/')), ['app/controllers/drafts_controller.rb']);
  });
});
