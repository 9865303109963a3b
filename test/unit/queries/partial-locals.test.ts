// Locals handed from one partial to another: `render "posts/list", posts: @posts` gives the list partial its
// collection, and `render "posts/card", post: post, author: post.author` inside its loop gives the card partial the
// element and the element's association. Multi-file fixtures: models, controller and views in their own files.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import unboundedRender from '../../../server/src/rules/queries/unbounded-render';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const CARD = 'app/views/posts/_card.html.erb';

describe('a partial rendered per element by a partial that got the collection as a local', () => {
  const files = (posts: string, passed = 'posts: @posts', card = '<%= author.name %> <%= author.profile.id %>\n'): Files => ({
    ...BLOG,
    'app/controllers/posts_controller.rb': `class PostsController < ApplicationController\n  def index\n    @posts = ${posts}\n  end\nend\n`,
    'app/views/posts/index.html.erb': `<%= render "posts/list", ${passed} %>\n`,
    'app/views/posts/_list.html.erb': '<% posts.each do |post| %>\n  <%= render "posts/card", post: post, author: post.author %>\n<% end %>\n',
    [CARD]: card,
  });

  test('the author passed as a local: its profile is one query per post', () => {
    const findings = check(associationInLoop, files('Post.includes(:author).order(:id)'), CARD);
    assert.deepEqual(findings.map((f) => [f.ruleId, at(f).line, at(f).column, f.severity]), [["queries/association-in-loop", 1, 24, "warning"]]);
    assert.match(findings[0].message, /^`author\.profile` runs one query each time this partial is rendered for a post \(N\+1; unbounded/);
  });

  test('the author itself not preloaded: one query per post where the list passes it', () => {
    const findings = check(associationInLoop, files('Post.order(:id)', 'posts: @posts', '<%= author.name %>\n'), 'app/views/posts/_list.html.erb');
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column]), [[2, 48]]);
  });

  test('near miss: the profiles are preloaded under the authors', () => {
    assert.deepEqual(check(associationInLoop, files('Post.includes(author: :profile).order(:id)'), CARD), []);
  });

  test('near miss: the list is handed something the analysis cannot see', () => {
    assert.deepEqual(check(associationInLoop, files('Post.includes(:author).order(:id)', 'posts: recent_posts'), CARD), []);
  });
});

describe('what an action hands its view', () => {
  const VIEW = 'app/views/posts/index.html.erb';
  const files = (action: string[], extra: Files = {}): Files => ({
    ...BLOG,
    'app/controllers/posts_controller.rb': ['class PostsController < ApplicationController', '  def index', ...action.map((l) => `    ${l}`), '  end', 'end', ''].join('\n'),
    [VIEW]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
    ...extra,
  });

  test('Pundit `authorize` returns the relation it authorized', () => {
    const findings = check(associationInLoop, files(['@posts = authorize Post.published.order(:id)']), VIEW);
    assert.deepEqual(findings.map((f) => [f.ruleId, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'warning']]);
    assert.match(findings[0].message, /^`post\.author` runs one query per post in the loop \(N\+1; unbounded/);
  });

  test('near miss: includes added `if request.format.html?` serve the HTML template', () => {
    const action = ['@posts = Post.published.order(:id)', '@posts = @posts.includes(:author) if request.format.html?'];
    assert.deepEqual(check(associationInLoop, files(action), VIEW), []);
  });

  test('includes added under another condition may not run: still an N+1', () => {
    const action = ['@posts = Post.published.order(:id)', '@posts = @posts.includes(:author) if params[:full]'];
    assert.deepEqual(check(associationInLoop, files(action), VIEW).map((f) => [at(f).line, at(f).column]), [[2, 7]]);
  });
});

describe('a memoised method whose paths agree on one record (`current_organization`)', () => {
  const VIEW = 'app/views/posts/index.html.erb';
  const method = (resource: string): string[] => [
    '  def current_category',
    '    return @current_category if instance_variable_defined? :@current_category',
    '',
    '    @current_category = if !current_role',
    '      nil',
    `    elsif current_role.resource.is_a?(${resource})`,
    '      current_role.resource',
    '    else',
    '      Category.find_by(id: params[:category_id])',
    '    end',
    '  end',
  ];
  const files = (resource: string): Files => ({
    ...BLOG,
    'app/controllers/application_controller.rb': ['class ApplicationController < ActionController::Base', ...method(resource), 'end', ''].join('\n'),
    'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = current_category.posts.order(:id)\n  end\nend\n',
    [VIEW]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n',
  });

  test('nil, a resource checked `is_a?(Category)` and `Category.find_by`: one category, its posts an N+1 (size unknown)', () => {
    const findings = check(associationInLoop, files('Category'), VIEW);
    assert.deepEqual(findings.map((f) => [f.ruleId, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 7, 'hint']]);
    assert.match(findings[0].message, /^`post\.author` runs one query per post in the loop \(N\+1; size unknown: as many as one Category has in `posts`\)/);
  });

  test('near miss: the resource is checked against another class: the paths disagree, unknown', () => {
    assert.deepEqual(check(associationInLoop, files('Tag'), VIEW), []);
  });
});

describe('near misses found on real apps', () => {
  test('a model method reading the element\'s owner over `owner.children`: Rails sets the inverse on load', () => {
    const files: Files = {
      ...BLOG,
      'app/models/comment.rb': 'class Comment < ApplicationRecord\n  belongs_to :post, inverse_of: :comments\n  belongs_to :user\n\n  def first?\n    self == post.comments.first\n  end\nend\n',
      'app/models/post.rb': BLOG['app/models/post.rb'].replace('  has_many :comments', '  has_many :comments, -> { order(:id) }, inverse_of: :post'),
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def edit\n    @post = Post.find(params[:id])\n  end\nend\n',
      'app/views/posts/edit.html.erb': '<%= render partial: "comments", locals: { comments: @post.comments } %>\n',
      'app/views/posts/_comments.html.erb': '<% comments.each do |comment| %>\n  <%= comment.first? %> <%= comment.user.name %>\n<% end %>\n',
    };
    const findings = check(associationInLoop, files, 'app/views/posts/_comments.html.erb');
    assert.deepEqual(findings.map((f) => [f.ruleId, at(f).line, at(f).column, f.severity]), [['queries/association-in-loop', 2, 29, 'hint']]);
    assert.match(findings[0].message, /^`comment\.user` runs one query per comment in the loop/);
  });

  test('`Model.from(subquery)` renders the rows the subquery picks, not the whole table', () => {
    const files: Files = {
      ...BLOG,
      'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def show\n    latest = Post.where(author_id: params[:author_id])\n    @posts = Post.from(latest).order(id: :desc)\n  end\nend\n',
      'app/views/posts/show.html.erb': '<% @posts.each do |post| %>\n  <%= post.title %>\n<% end %>\n',
    };
    assert.deepEqual(check(unboundedRender, files, 'app/views/posts/show.html.erb'), []);
    const whole = { ...files, 'app/controllers/posts_controller.rb': files['app/controllers/posts_controller.rb'].replace('Post.from(latest)', 'Post.all') };
    assert.deepEqual(check(unboundedRender, whole, 'app/views/posts/show.html.erb').map((f) => [f.ruleId, at(f).line, at(f).column]), [['queries/unbounded-render', 1, 4]]);
  });
});
