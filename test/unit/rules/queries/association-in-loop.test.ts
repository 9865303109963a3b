import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/association-in-loop';
import { at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, applyFixToApp, check, type Files } from '../../../helpers/queryApp';

before(initParsers);

const CONTROLLER = 'app/controllers/posts_controller.rb';
const INDEX = 'app/views/posts/index.html.erb';

function app(files: Files): Files { return { ...BLOG, ...files }; }

describe('queries/association-in-loop', () => {
  test('view: an association of @posts built in the controller without includes', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.published.order(created_at: :desc)\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %>\n  <p><%= post.title %> by <%= post.author.name %></p>\n<% end %>\n',
    });
    const findings = check(rule, files, INDEX);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 31 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /`post\.author` runs one query per post in the loop \(N\+1; unbounded: every Post in `Post\.published\.order\(created_at: :desc\)`\)/);
    assert.match(findings[0].message, /app\/controllers\/posts_controller\.rb:3/);
    assert.match(findings[0].message, /`Post\.published\.order\(created_at: :desc\)\.includes\(:author\)`/);
  });

  test('fix: adds .includes in the controller (another file), and then nothing is reported', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.published.order(created_at: :desc)\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    const [finding] = check(rule, files, INDEX);
    assert.equal(finding.fixes[0].safety, 'safe');
    assert.equal(finding.fixes[0].title, 'Add `.includes(:author)` in PostsController#index');
    const fixed = applyFixToApp(files, finding.fixes[0]);
    assert.equal(fixed[CONTROLLER], 'class PostsController < ApplicationController\n  def index\n    @posts = Post.published.order(created_at: :desc).includes(:author)\n  end\nend\n');
    assert.equal(fixed[INDEX], files[INDEX], 'the view is unchanged');
    assert.deepEqual(check(rule, fixed, INDEX), []);
  });

  test('nested: an existing includes is extended with the nested form', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.includes(:comments).limit(50)\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %>\n  <% post.comments.each do |comment| %>\n    <%= comment.user.name %>\n  <% end %>\n<% end %>\n',
    });
    const findings = check(rule, files, INDEX);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 9 }]);
    assert.equal(findings[0].severity, 'hint', 'limit(50) bounds the loop');
    const fixed = applyFixToApp(files, findings[0].fixes[0]);
    assert.equal(fixed[CONTROLLER], 'class PostsController < ApplicationController\n  def index\n    @posts = Post.includes(:comments, comments: :user).limit(50)\n  end\nend\n');
    assert.deepEqual(check(rule, fixed, INDEX), []);
    // A second level is added to an existing pair.
    const pair = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.includes(comments: :post)\n  end\nend\n',
      [INDEX]: files[INDEX],
    });
    const [f] = check(rule, pair, INDEX);
    const fixedPair = applyFixToApp(pair, f.fixes[0]);
    assert.match(fixedPair[CONTROLLER], /Post\.includes\(comments: \[:post, :user\]\)/);
    assert.deepEqual(check(rule, fixedPair, INDEX), []);
  });

  test('near miss: an association read followed by an unconditional return runs for one element only', () => {
    const job = (tail: string) => `class FeatureJob < ApplicationJob\n  def perform\n    Post.where(published: true).each do |post|\n      next unless post.featured\n      puts post.author.name\n${tail}    end\n  end\nend\n`;
    const file = 'app/jobs/feature_job.rb';
    assert.deepEqual(check(rule, app({ [file]: job('      return post\n') }), file), []);
    assert.deepEqual(check(rule, app({ [file]: job('') }), file).map(at), [{ rule: 'queries/association-in-loop', line: 5, column: 12 }]);
  });

  test('near misses: preloaded in the controller (nested too), columns, counter caches, size on loaded associations', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.includes(:author, comments: [:user]).preload(:tags)\n  end\nend\n',
      [INDEX]: [
        '<% @posts.each do |post| %>',
        '  <%= post.author.name %> <%= post.author_id %> <%= post.comments_count %>',
        '  <% post.comments.each do |c| %><%= c.user.name %><% end %>',
        '  <%= post.tags.size %> <%= post.comments.size %>',
        '<% end %>',
        '',
      ].join('\n'),
    });
    assert.deepEqual(check(rule, files, INDEX), []);
    // Counter cache: comments.size on an unloaded association reads posts.comments_count.
    const counter = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.all\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %><%= post.comments.size %> <%= post.comments.empty? %><% end %>\n',
    });
    assert.deepEqual(check(rule, counter, INDEX), []);
    // Without a counter cache, size runs COUNT per post: preload it.
    const noCounter = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.all\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %><%= post.tags.size %><% end %>\n',
    });
    assert.equal(check(rule, noCounter, INDEX).length, 1);
  });

  test('near misses: arrays that are not relations, unknown collections, writes, the inverse parent, strict_loading lowers to hint', () => {
    const job = 'app/jobs/digest_job.rb';
    const code = [
      'class DigestJob < ApplicationJob',
      '  def perform(posts, user)',
      '    posts.each { |post| post.author.name }',
      '    [1, 2].each { |id| id.author }',
      '    User.find(user).posts.each { |post| post.author }',
      '    Post.find_each { |post| post.comments.create!(body: "x") }',
      '    Post.where(published: true).each { |post| post.comments.each { |c| c.post.title } }',
      '    Post.strict_loading.each { |post| post.category.name }',
      '  end',
      'end',
      '',
    ].join('\n');
    const findings = check(rule, app({ [job]: code }), job);
    // posts (a parameter) and [1, 2] are not known relations; one user's posts → author per post (line 5, a hint:
    // how many posts one user has is unknown); comments loaded per post (line 7, every published post: warning)
    // but not c.post (the inverse); strict_loading (line 8, hint).
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[5, 41, 'hint'], [7, 47, 'warning'], [8, 39, 'hint']]);
    assert.match(findings[0].message, /size unknown: as many as one User has in `posts`/);
    assert.match(findings[2].message, /strict_loading/);
  });

  test('reads in one loop are reported once per association; the first read loads it for the row', () => {
    const job = 'app/jobs/digest_job.rb';
    const code = 'class DigestJob < ApplicationJob\n  def perform\n    Post.where(published: true).each do |post|\n      puts post.author.name\n      puts post.author.email\n    end\n  end\nend\n';
    const findings = check(rule, app({ [job]: code }), job);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 4, column: 12 }]);
    const fixed = applyFixToApp({ [job]: code }, findings[0].fixes[0]);
    assert.match(fixed[job], /Post\.where\(published: true\)\.includes\(:author\)\.each do \|post\|/);
    assert.deepEqual(check(rule, app({ [job]: fixed[job] }), job), []);
  });

  test('near misses: preloads inside a scope body and a default_scope', () => {
    const files = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published, -> { where(published: true) }',
        '  scope :published, -> { where(published: true) }\n  scope :feed, ->(user) { where(author: user).preload(:author, comments: :user).order(id: :desc) }'),
      'app/models/comment.rb': 'class Comment < ApplicationRecord\n  belongs_to :post, counter_cache: true\n  belongs_to :user\n  default_scope { includes(:user) }\nend\n',
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.feed(current_user).load\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %><%= post.author.name %><% post.comments.each do |c| %><%= c.user.name %><% end %><% end %>\n',
    });
    assert.deepEqual(check(rule, files, INDEX), []);
    const nested = app({
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  scope :published, -> { where(published: true) }',
        '  scope :published, -> { where(published: true).includes(:author) }\n  scope :hot, -> { published.order(:score) }'),
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.hot\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %><%= post.author.name %><% end %>\n',
    });
    assert.deepEqual(check(rule, nested, INDEX), [], 'a scope calling a scope that preloads');
    const job = 'app/jobs/digest_job.rb';
    const code = 'class DigestJob < ApplicationJob\n  def perform\n    Post.published.find_each { |post| post.comments.each { |c| c.user.name } }\n  end\nend\n';
    const findings = check(rule, { ...files, [job]: code }, job);
    assert.deepEqual(findings.map((f) => at(f).column), [39], 'comments per post, but not c.user (default_scope)');
  });

  test('a second loop over the same records reads the association they already loaded', () => {
    const file = 'app/models/feed.rb';
    const code = 'class Feed\n  def authors\n    Post.published\n      .select { |p| p.author.active? }\n      .map { |p| p.author.name }\n  end\nend\n';
    assert.deepEqual(check(rule, app({ [file]: code }), file).map((f) => at(f).line), [4]);
  });

  test('locals: the fix goes where the local is assigned', () => {
    const file = 'app/models/post_digest.rb';
    const code = 'class PostDigest\n  def lines\n    posts = Post.published\n    posts.map { |p| "#{p.title} (#{p.category.name})" }\n  end\nend\n';
    const [finding] = check(rule, app({ [file]: code }), file);
    assert.deepEqual(at(finding), { rule: 'queries/association-in-loop', line: 4, column: 36 });
    assert.match(applyFixToApp({ [file]: code }, finding.fixes[0])[file], /posts = Post\.published\.includes\(:category\)\n/);
  });

  test('partials rendered per element: render @posts and render partial:, collection:, as:', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  before_action :load_posts, only: [:index]\n\n  def index\n  end\n\n  private\n\n  def load_posts\n    @posts = Post.order(:id)\n  end\nend\n',
      [INDEX]: '<%= render @posts %>\n<%= render partial: "posts/row", collection: @posts, as: :item %>\n',
      'app/views/posts/_post.html.erb': '<article><%= post.title %> <%= post.category.name %></article>\n',
      'app/views/posts/_row.html.erb': '<tr><td><%= item.author.name %></td></tr>\n',
    });
    const post = check(rule, files, 'app/views/posts/_post.html.erb');
    assert.deepEqual(post.map(at), [{ rule: 'queries/association-in-loop', line: 1, column: 32 }]);
    assert.match(post[0].message, /each time this partial is rendered for a post/);
    const fixed = applyFixToApp(files, post[0].fixes[0]);
    assert.match(fixed[CONTROLLER], /@posts = Post\.order\(:id\)\.includes\(:category\)\n/);
    const row = check(rule, files, 'app/views/posts/_row.html.erb');
    assert.deepEqual(row.map(at), [{ rule: 'queries/association-in-loop', line: 1, column: 13 }]);
    // A partial rendered for one record is not a loop.
    const single = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def show\n    @post = Post.find(params[:id])\n  end\nend\n',
      'app/views/posts/show.html.erb': '<%= render @post %>\n',
      'app/views/posts/_post.html.erb': '<%= post.category.name %>\n',
    });
    assert.deepEqual(check(rule, single, 'app/views/posts/_post.html.erb'), []);
  });

  test('partials rendered inside a loop with the element as a local; explicit render :index from another action', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.includes(:author)\n  end\n\n  def search\n    @posts = Post.where(title: params[:q])\n    render :index\n  end\nend\n',
      [INDEX]: '<% @posts.each do |p| %>\n  <%= render "posts/card", post: p %>\n<% end %>\n',
      'app/views/posts/_card.html.erb': '<%= post.author.name %>\n',
    });
    const findings = check(rule, files, 'app/views/posts/_card.html.erb');
    assert.equal(findings.length, 1, 'search renders index without preloading the author');
    const fixed = applyFixToApp(files, findings[0].fixes[0]);
    assert.match(fixed[CONTROLLER], /@posts = Post\.where\(title: params\[:q\]\)\.includes\(:author\)\n/);
    assert.match(fixed[CONTROLLER], /@posts = Post\.includes\(:author\)\n/, 'index already preloads: not edited');
    assert.deepEqual(check(rule, fixed, 'app/views/posts/_card.html.erb'), []);
  });

  test('views whose controller is unknown, and Preloader calls, are left alone', () => {
    const files = app({ [INDEX]: '<% @posts.each do |post| %><%= post.author.name %><% end %>\n' });
    assert.deepEqual(check(rule, files, INDEX), []);
    const file = 'app/models/feed.rb';
    const code = 'class Feed\n  def items\n    posts = Post.published.to_a\n    ActiveRecord::Associations::Preloader.new(records: posts, associations: :author).call\n    posts.map { |p| p.author.name }\n  end\nend\n';
    assert.deepEqual(check(rule, app({ [file]: code }), file), []);
  });

  test('suppression comment in ERB', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def index\n    @posts = Post.all\n  end\nend\n',
      [INDEX]: '<% @posts.each do |post| %>\n  <%# rails-hazards:disable-next-line queries/association-in-loop -- ten posts %>\n  <%= post.author.name %>\n<% end %>\n',
    });
    assert.deepEqual(check(rule, files, INDEX), []);
  });
});
