// Values that cross a method boundary: a relation returned by a filter object's method, by a private method
// that takes arguments, as one element of a returned `[records, total]`, or kept in an ivar that another method
// of the job assigns. Multi-file fixtures; each form has a near miss where what the method returns is unknown.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import unbatchedEach from '../../../server/src/rules/queries/unbatched-each';
import unboundedRender from '../../../server/src/rules/queries/unbounded-render';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, applyFixToApp, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const app = (files: Files): Files => ({ ...BLOG, ...files });
const VIEW = 'app/views/posts/index.html.erb';
const LOOP_VIEW = '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n';
const CONTROLLER = 'app/controllers/posts_controller.rb';
const FILTER = 'app/services/post_filter.rb';
const JOB = 'app/jobs/digest_job.rb';

const found = (files: Files, file: string) => check(associationInLoop, files, file).map((f) => [at(f).line, at(f).column, f.severity, f.message.split(':')[0]]);

describe('a relation returned by an app class\'s method (`PostFilter.new(params).results`)', () => {
  const filter = (results: string): string => [
    'class PostFilter',
    '  def initialize(params)',
    '    @params = params',
    '  end',
    '',
    '  def results',
    results,
    '  end',
    '',
    '  private',
    '',
    '  def base',
    '    Post.where(published: true)',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (results: string): Files => app({
    [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = PostFilter.new(params).results\n  end\nend\n',
    [FILTER]: filter(results),
    [VIEW]: LOOP_VIEW,
  });

  test('the view\'s loop reads an association of what the filter returns: reported in the view, fixed in the filter', () => {
    const app1 = files('    scope = base.order(:id)\n    scope = scope.where(category_id: @params[:category]) if @params[:category]\n    scope');
    const findings = check(associationInLoop, app1, VIEW);
    assert.deepEqual(findings.map((f) => [at(f).rule, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'hint']]);
    // Followed across the method, but the size of what another method returns is not judged (a hint that says so).
    assert.match(findings[0].message, /^`post\.author` runs one query per post in the loop \(N\+1; size unknown: as many Post rows as `base` returns \(not judged across methods\)\)/);
    const fixed = applyFixToApp(app1, findings[0].fixes[0]);
    assert.equal(fixed[FILTER], app1[FILTER].replace('scope = base.order(:id)\n', 'scope = base.order(:id).includes(:author)\n'));
    assert.deepEqual(check(associationInLoop, fixed, VIEW), []);
  });

  test('near misses: the filter preloads the author, or returns something built from its input (unknown)', () => {
    assert.deepEqual(found(files('    base.includes(:author)'), VIEW), []);
    assert.deepEqual(found(files('    @params[:posts].select(&:published)'), VIEW), []);
  });
});

describe('a private method with arguments, and a returned `[records, count]`', () => {
  const job = (body: string, methods: string): Files => app({
    [JOB]: `class DigestJob < ApplicationJob\n  def perform(since)\n${body}\n  end\n\n  private\n\n${methods}\nend\n`,
  });

  test('`recent(since).each` where `recent(since)` returns a relation: its conditions decide the size (here unknown)', () => {
    const files = job('    recent(since).each { |post| puts post.author.name }', '  def recent(since)\n    Post.where(published: true).where(created_at: since..)\n  end');
    assert.deepEqual(found(files, JOB), [[3, 38, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('a method that ignores its argument returns every published post: found, its size not judged across the method', () => {
    const files = job('    recent(since).each { |post| puts post.author.name }', '  def recent(_since)\n    Post.where(published: true)\n  end');
    assert.deepEqual(found(files, JOB), [[3, 38, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('a method that refines the relation it is given is read with the caller\'s argument (size not judged across the method)', () => {
    const files = job('    recent(Post.all).each { |post| puts post.author.name }', '  def recent(scope)\n    scope.order(:id)\n  end');
    assert.deepEqual(found(files, JOB), [[3, 41, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('near miss: the caller hands it something unknown (perform\'s own argument), so the parameter stays unknown', () => {
    const files = job('    recent(since).each { |post| puts post.author.name }', '  def recent(scope)\n    scope.order(:id)\n  end');
    assert.deepEqual(found(files, JOB), []);
  });

  // A reader without parameters in the same file is read like its body, size included: every published post.
  test('`posts, total = page_of_posts`: the first element is the relation', () => {
    const methods = '  def page_of_posts\n    posts = Post.where(published: true)\n    [posts, posts.count]\n  end';
    assert.deepEqual(found(job('    posts, total = page_of_posts\n    posts.each { |post| puts post.author.name, total }', methods), JOB),
      [[4, 30, 'warning', '`post.author` runs one query per post in the loop (N+1; unbounded']]);
    // Near miss: the targets in the other order: `posts` is the count.
    assert.deepEqual(found(job('    total, posts = page_of_posts\n    posts.each { |post| puts post.author.name, total }', methods), JOB), []);
  });
});

describe('ivars a job assigns in one method and loops over in another', () => {
  const job = (perform: string): Files => app({
    [JOB]: `class DigestJob < ApplicationJob\n  def perform(user_id = nil)\n${perform}\n    notify_all\n  end\n\n  private\n\n  def notify_all\n    @posts.each { |post| puts post.author.name }\n  end\nend\n`,
  });

  test('`@posts = Post.where(…)` in perform, looped in notify_all: the per-row read is reported', () => {
    assert.deepEqual(found(job('    @posts = Post.where(published: true)'), JOB), [[10, 31, 'warning', '`post.author` runs one query per post in the loop (N+1; unbounded']]);
  });

  test('`@posts = user&.posts || Post.all`: one side unknown, so the size is unknown (a hint)', () => {
    const findings = found(job('    user = User.find_by(id: user_id)\n    @posts = @owner&.posts || Post.where(published: true)'), JOB);
    assert.deepEqual(findings, [[11, 31, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('near misses: another method assigns the ivar something unknown, or the loop preloads', () => {
    const two = app({
      [JOB]: 'class DigestJob < ApplicationJob\n  def perform\n    @posts = Post.where(published: true)\n    notify_all\n  end\n\n  def retry_posts(list)\n    @posts = list\n  end\n\n  def notify_all\n    @posts.each { |post| puts post.author.name }\n  end\nend\n',
    });
    assert.deepEqual(found(two, JOB), []);
    assert.deepEqual(found(job('    @posts = Post.where(published: true).includes(:author)'), JOB), []);
  });
});

describe('a model method returning a relation', () => {
  const model = BLOG['app/models/user.rb'].replace('  has_one :profile\n', '  has_one :profile\n\n  def published_posts\n    posts.where(published: true)\n  end\n\n  def post_titles\n    posts.map(&:title)\n  end\n');
  const files = (body: string): Files => app({
    'app/models/user.rb': model,
    [JOB]: `class DigestJob < ApplicationJob\n  def perform(user_id)\n    user = User.find(user_id)\n${body}\n  end\nend\n`,
  });

  test('`user.published_posts.each` reading the category: one owner\'s rows (size unknown, a hint)', () => {
    assert.deepEqual(found(files('    user.published_posts.each { |post| puts post.category.name }'), JOB),
      [[4, 45, 'hint', '`post.category` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('near miss: a model method returning an Array of titles is not a collection of records', () => {
    assert.deepEqual(found(files('    user.post_titles.each { |title| puts title.upcase }'), JOB), []);
  });
});

describe('a private method\'s parameter that every call in the class passes a known relation', () => {
  const controller = (second: string, visibility = '  private\n'): Files => app({
    [CONTROLLER]: [
      'class PostsController < ApplicationController',
      '  def index',
      '    render_titles(Post.where(published: true))',
      '  end',
      '',
      '  def drafts',
      `    ${second}`,
      '  end',
      '',
      visibility,
      '  def render_titles(posts)',
      '    render json: posts.map { |post| [post.title, post.author.name] }',
      '  end',
      'end',
      '',
    ].join('\n'),
  });

  test('both actions pass a relation of posts: the loop in the private method reads `author` per row', () => {
    const files = controller('drafts = Post.where(published: false)\n    render_titles(drafts)');
    assert.deepEqual(found(files, CONTROLLER), [[14, 50, 'warning', '`post.author` runs one query per post in the loop (N+1; unbounded']]);
  });

  test('near misses: one call passes something unknown, or the method is public (callers elsewhere)', () => {
    assert.deepEqual(found(controller('render_titles(params[:posts])'), CONTROLLER), []);
    assert.deepEqual(found(controller('render_titles(Post.where(published: false))', ''), CONTROLLER), []);
  });
});

describe('a method a concern\'s macro defines with `define_method`, called in a callback block', () => {
  const concern = [
    'module HasDigest',
    '  extend ActiveSupport::Concern',
    '',
    '  class_methods do',
    '    def has_digest(strict: false)',
    '      if strict',
    '        define_method(:digest_user) do',
    '          return nil unless persisted?',
    '          @digest_user ||= User.find_by(email: "digest@example.com")',
    '        end',
    '      else',
    '        define_method(:digest_user) do',
    '          @digest_user ||= User.find_by(email: "digest@example.com")',
    '        end',
    '      end',
    '    end',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (read: string): Files => app({
    'app/models/concerns/has_digest.rb': concern,
    'app/models/category.rb': `class Category < ApplicationRecord\n  include HasDigest\n  has_digest\n  has_many :posts\n\n  after_update do\n    digest_user.posts.each { |post| puts ${read} }\n  end\nend\n`,
  });

  test('`digest_user.posts.each` reads each post\'s category: one user\'s posts (size unknown, a hint)', () => {
    assert.deepEqual(found(files('post.category.name'), 'app/models/category.rb'),
      [[7, 42, 'hint', '`post.category` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('near miss: the loop reads only columns of the posts', () => {
    assert.deepEqual(found(files('post.title'), 'app/models/category.rb'), []);
  });
});

describe('`@posts, @total = load_page` in an action: the view loops over the first element', () => {
  const files = (targets: string): Files => app({
    [CONTROLLER]: `class PostsController < ApplicationController\n  def index\n    ${targets} = load_page(params[:page])\n  end\n\n  private\n\n  def load_page(page)\n    posts = Post.where(published: true).page(page)\n    [posts, posts.total_count]\n  end\nend\n`,
    [VIEW]: LOOP_VIEW,
  });

  test('the view\'s per-row read is reported (one page: a hint)', () => {
    assert.deepEqual(found(files('@posts, @total'), VIEW), [[2, 7, 'hint', '`post.author` runs one query per post in the loop (N+1; bounded']]);
  });

  test('near miss: the targets in the other order (`@posts` is the count)', () => {
    assert.deepEqual(found(files('@total, @posts'), VIEW), []);
  });
});

describe('a model instance method returning rows picked by its own values', () => {
  const files = (loop: string): Files => app({
    'app/models/post.rb': BLOG['app/models/post.rb'].replace(/\nend\n$/, '\n\n  def namesakes\n    Post.where(title:)\n  end\nend\n'),
    [JOB]: `class DigestJob < ApplicationJob\n  def perform(post_id)\n    ${loop}\n  end\nend\n`,
  });

  test('`post.namesakes.each` reading the author: as many rows as one post\'s title matches (a hint, not every post)', () => {
    const files1 = files('Post.find(post_id).namesakes.each { |post| puts post.author.name }');
    assert.deepEqual(found(files1, JOB), [[3, 53, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
    assert.deepEqual(check(unbatchedEach, files1, JOB), []);
  });
});

describe('a shared pagination method handed the rows and the associations to preload (`get_page_items(comments, includes: [:author])`)', () => {
  const CONCERN = 'app/controllers/concerns/pagination_methods.rb';
  const pagination = [
    'module PaginationMethods',
    '  extend ActiveSupport::Concern',
    '',
    '  private',
    '',
    '  def get_page_items(items, includes: [], limit: 20)',
    '    id_column = "#{items.table_name}.id"',
    '    page_items = if params[:before]',
    '                   items.where("#{id_column} < ?", params[:before]).order(:id => :desc)',
    '                 elsif params[:after]',
    '                   items.where("#{id_column} > ?", params[:after]).order(:id => :asc)',
    '                 else',
    '                   items.order(:id => :desc)',
    '                 end',
    '',
    '    page_items = page_items.limit(limit)',
    '    page_items = page_items.includes(includes)',
    '    page_items = page_items.sort.reverse',
    '',
    '    newer_items_id = page_items.first.id if page_items.count.positive?',
    '    [page_items, newer_items_id]',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (call: string): Files => app({
    [CONCERN]: pagination,
    [CONTROLLER]: `class PostsController < ApplicationController\n  include PaginationMethods\n\n  def index\n    posts = Post.where(published: true)\n    @posts, @newer_id = ${call}\n  end\nend\n`,
    [VIEW]: LOOP_VIEW,
  });

  test('the view reads an association the call does not list: found, with no edit to the shared method', () => {
    const findings = check(associationInLoop, files('get_page_items(posts, :includes => [:category])'), VIEW);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity, f.headline]),
      [[2, 7, 'hint', '`post.author` runs one query per post in the loop (N+1; bounded: bounded by `limit(limit)`)']]);
    // Adding the preload inside get_page_items would reach every caller (another model may have no `author`).
    assert.deepEqual(findings[0].fixes, []);
    assert.match(findings[0].message, /nothing preloads `author`\. Preload it with `\.includes\(:author\)` where the collection is built\./);
  });

  test('near misses: the call lists the association, hands a list the analysis cannot read, or splats its arguments', () => {
    assert.deepEqual(found(files('get_page_items(posts, :includes => [:category, :author])'), VIEW), []);
    assert.deepEqual(found(files('get_page_items(posts, includes: preloads_for(:index))'), VIEW), []);
    assert.deepEqual(found(files('get_page_items(*[posts], includes: [:category])'), VIEW), []);
  });

  test('without the keyword the default (`includes: []`) preloads nothing', () => {
    assert.deepEqual(found(files('get_page_items(posts)'), VIEW),
      [[2, 7, 'hint', '`post.author` runs one query per post in the loop (N+1; bounded']]);
  });
});

describe('a query object built with the relation it refines (`PostQuery.new(Post.where(…)).results`)', () => {
  const QUERY = 'app/services/post_query.rb';
  const query = (extra = '') => [
    'class PostQuery',
    '  def initialize(relation = nil)',
    '    @relation = relation',
    '  end',
    '',
    '  def results',
    '    relation.order(created_at: :desc)',
    '  end',
    extra,
    '  private',
    '',
    '  attr_reader :relation',
    'end',
    '',
  ].join('\n');
  const files = (argument: string, extra = ''): Files => app({
    [QUERY]: query(extra),
    [CONTROLLER]: `class PostsController < ApplicationController\n  def index\n    @posts = PostQuery.new(${argument}).results\n  end\nend\n`,
    [VIEW]: LOOP_VIEW,
  });

  test('the ivar initialize stores (read through its attr_reader) holds the relation passed to new', () => {
    assert.deepEqual(found(files('Post.where(published: true)'), VIEW), [[2, 7, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
    // Built from what the caller passed: no place in the query object to point at, so the message names the method.
    assert.deepEqual(check(unboundedRender, files('Post.where(published: true)'), VIEW).map((f) => [at(f).line, at(f).column, f.message.split(', and')[0]]),
      [[1, 4, '`@posts` (what `PostQuery#results` returns) has no limit or pagination']]);
  });

  test('near misses: the relation passed preloads the author, or a method of the class writes the ivar again', () => {
    assert.deepEqual(found(files('Post.includes(:author).where(published: true)'), VIEW), []);
    assert.deepEqual(found(files('Post.where(published: true)', '  def narrow!\n    @relation = relation.where(featured: true)\n  end\n'), VIEW), []);
  });
});

describe('a search service whose reader returns what initialize assigned, through a permissions class (OFN SearchOrders)', () => {
  const PERMISSIONS = 'app/services/permissions/post.rb';
  const SEARCH = 'app/services/search_posts.rb';
  const permissions = "module Permissions\n  class Post\n    def initialize(user, search_params = nil)\n      @user = user\n      @search_params = search_params\n    end\n\n    def editable_posts\n      posts = ::Post.\n        where(managed_values)\n\n      filtered_posts(posts)\n    end\n\n    private\n\n    attr_reader :search_params\n\n    def filtered_posts(posts)\n      return posts unless filter_posts?\n\n      posts.published.search(search_params).result\n    end\n  end\nend\n";
  const search = "class SearchPosts\n  attr_reader :posts\n\n  def initialize(params, current_user)\n    @params = params\n    @current_user = current_user\n\n    @posts = fetch_posts\n  end\n\n  private\n\n  attr_reader :params, :current_user\n\n  def fetch_posts\n    @search = search_query.\n      includes(:category).\n      ransack(params[:q])\n\n    return paginated_results if using_pagination?\n\n    @search.result(distinct: true)\n  end\n\n  def search_query\n    base_query = ::Permissions::Post.new(current_user).editable_posts\n    return base_query unless params[:shipping_method_id]\n\n    base_query\n      .joins(:comments)\n      .where(comments: { selected: true })\n  end\n\n  def paginated_results\n    @search.result(distinct: true)\n      .page(params[:page])\n      .per(params[:per_page])\n  end\n\n  def using_pagination?\n    params[:page]\n  end\nend\n";
  const files = (searchText = search, permissionsText = permissions): Files => app({
    [PERMISSIONS]: permissionsText,
    [SEARCH]: searchText,
    [JOB]: 'class DigestJob < ApplicationJob\n  def perform(params, user)\n    posts = SearchPosts.new(params, user).posts\n    posts.each { |post| puts post.author.name }\n  end\nend\n',
  });

  test('`posts` reads `@posts = fetch_posts`; fetch_posts reads `@search` it assigned; the permissions class hands its local to `filtered_posts`', () => {
    assert.deepEqual(found(files(), JOB), [[4, 30, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('near misses: `search` without `.result` (another gem\'s), or an ivar the class assigns twice', () => {
    assert.deepEqual(found(files(search, permissions.replace('posts.published.search(search_params).result', 'posts.published.search(search_params)')), JOB), []);
    assert.deepEqual(found(files(search.replace('  def using_pagination?', '  def reset!\n    @posts = nil\n  end\n\n  def using_pagination?')), JOB), []);
  });
});

describe('an ivar a method assigns and returns, refined by other methods it calls (OFN ScopeVariantsForSearch)', () => {
  const SCOPER = 'app/services/post_scoper.rb';
  const scoper = (narrow: string) => [
    'class PostScoper',
    '  def initialize(params)',
    '    @params = params',
    '  end',
    '',
    '  def search',
    '    @posts = Post.where(published: true)',
    '    narrow if @params[:with_authors]',
    '    @posts',
    '  end',
    '',
    '  private',
    '',
    '  def narrow',
    `    ${narrow}`,
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (narrow: string): Files => app({
    [SCOPER]: scoper(narrow),
    [JOB]: 'class DigestJob < ApplicationJob\n  def perform(params)\n    PostScoper.new(params).search.each { |post| puts post.author.name }\n  end\nend\n',
  });

  test('near miss: another method reassigns the ivar (here adding the preload), so what `search` returns is unknown', () => {
    assert.deepEqual(found(files('@posts = @posts.includes(:author)'), JOB), []);
  });

  test('the ivar assigned once in the class reads like a local: found', () => {
    assert.deepEqual(found(files('puts @posts.count'), JOB), [[3, 54, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });

  test('assigned twice, both times in the method that returns it (memoised, then refined there): found', () => {
    const refined = app({
      [SCOPER]: 'class PostScoper\n  def initialize(params)\n    @params = params\n  end\n\n  def search\n    return @posts if @posts.present?\n\n    @posts = Post.where(published: true)\n    return @posts if @params[:all]\n\n    @posts = @posts.where(featured: true)\n  end\nend\n',
      [JOB]: 'class DigestJob < ApplicationJob\n  def perform(params)\n    PostScoper.new(params).search.each { |post| puts post.author.name }\n  end\nend\n',
    });
    assert.deepEqual(found(refined, JOB), [[3, 54, 'hint', '`post.author` runs one query per post in the loop (N+1; size unknown']]);
  });
});
