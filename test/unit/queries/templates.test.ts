// Views beyond ERB: HAML (through its Ruby projection) and jbuilder (Ruby) are views like ERB ones:
// they see the controller's instance variables, their loops and partials count for the query rules.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import queryInLoop from '../../../server/src/rules/queries/query-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { BIN } from '../../helpers/lspClient';
import { makeApp } from '../../helpers/fixtures';
import { Workspace } from '../../../server/src/project/workspace';
import { allRules } from '../../../server/src/rules';
import { disableLineEdit } from '../../../server/src/core/suppressions';
import { applyEdits } from '../../../server/src/parsing/rubyEdits';

before(initParsers);

const CONTROLLER = 'app/controllers/posts_controller.rb';
const controller = (index: string) => `class PostsController < ApplicationController\n  def index\n    @posts = ${index}\n  end\nend\n`;
const app = (files: Files): Files => ({ ...BLOG, ...files });

describe('HAML views', () => {
  const INDEX = 'app/views/posts/index.html.haml';
  const view = [
    '%h1 Posts',
    '%ul',
    '  - @posts.each do |post|',
    '    %li',
    '      = link_to post.title, post',
    '      %span.by by #{post.author.name}',
    '%p= link_to "New", new_post_path',
    '',
  ].join('\n');

  test('an association read per row of the controller\'s @posts, at its line and column in the template', () => {
    const findings = check(associationInLoop, app({ [CONTROLLER]: controller('Post.published.order(:id)'), [INDEX]: view }), INDEX);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 6, column: 21 }]);
    assert.match(findings[0].message, /`post\.author` runs one query per post/);
  });

  test('near miss: the controller preloads the association', () => {
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published.includes(:author)'), [INDEX]: view }), INDEX), []);
  });

  test('"Disable for this line" writes a `-#` comment that silences the finding', () => {
    const edit = disableLineEdit(view, 5, 'queries/association-in-loop', '-# ');
    const disabled = applyEdits(view, [edit]);
    assert.match(disabled, /\n {6}-# rails-hazards:disable-next-line queries\/association-in-loop\n {6}%span\.by/);
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published.order(:id)'), [INDEX]: disabled }), INDEX), []);
  });

  test('near miss: a line after the loop is not in it (the block ends with its indentation)', () => {
    // Outside the block `post` is no longer the loop's element: nothing is known about it.
    const after = ['- @posts.each do |post|', '  = post.title', '= post.author.name', ''].join('\n');
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published'), [INDEX]: after }), INDEX), []);
    const inside = after.replace('\n= post.author', '\n  = post.author');
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published'), [INDEX]: inside }), INDEX).map(at),
      [{ rule: 'queries/association-in-loop', line: 3, column: 5 }]);
  });

  test('the same query inside the loop is reported', () => {
    const inside = ['- @posts.each do |post|', '  = post.title', '  = User.find_by(id: post.author_id)&.name', ''].join('\n');
    const findings = check(queryInLoop, app({ [CONTROLLER]: controller('Post.published'), [INDEX]: inside }), INDEX);
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.range.start.character + 1]), [[3, 5]]);
  });

  test('a collection partial `_post.html.haml` sees the element as its local', () => {
    const files = app({
      [CONTROLLER]: controller('Post.order(:id)'),
      [INDEX]: '= render partial: "post", collection: @posts\n',
      'app/views/posts/_post.html.haml': '%article\n  %h2= post.title\n  %p= post.category.name\n',
    });
    const findings = check(associationInLoop, files, 'app/views/posts/_post.html.haml');
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 7 }]);
  });

  test('a render :other from the action connects its HAML template', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def feed\n    @posts = Post.published\n    render :list\n  end\nend\n',
      'app/views/posts/list.html.haml': '- @posts.each do |post|\n  = post.category.name\n',
    });
    assert.deepEqual(check(associationInLoop, files, 'app/views/posts/list.html.haml').map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 5 }]);
  });

  test('a template whose projection does not parse reports nothing where it does not parse', () => {
    // An opener with an unbalanced bracket: the projected Ruby has an error inside the loop.
    const broken = ['- @posts.each do |post|', '  = post.author.name(', '= @other', ''].join('\n');
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published'), [INDEX]: broken }), INDEX), []);
  });
});

describe('jbuilder views', () => {
  const INDEX = 'app/views/posts/index.json.jbuilder';

  test('json.array! over @posts: an association read per element', () => {
    const view = 'json.array! @posts do |post|\n  json.id post.id\n  json.author post.author.name\nend\n';
    const findings = check(associationInLoop, app({ [CONTROLLER]: controller('Post.published'), [INDEX]: view }), INDEX);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 15 }]);
  });

  test('near miss: the controller includes it; and a nested json key over an association that is preloaded', () => {
    const view = 'json.array! @posts do |post|\n  json.author post.author.name\n  json.comments post.comments do |comment|\n    json.body comment.body\n  end\nend\n';
    assert.deepEqual(check(associationInLoop, app({ [CONTROLLER]: controller('Post.published.includes(:author, :comments)'), [INDEX]: view }), INDEX), []);
  });

  test('json.partial! with collection: and as: makes the partial a per-element view', () => {
    const files = app({
      [CONTROLLER]: controller('Post.published'),
      [INDEX]: 'json.posts do\n  json.partial! "posts/post", collection: @posts, as: :item\nend\n',
      'app/views/posts/_post.json.jbuilder': 'json.title item.title\njson.category item.category.name\n',
    });
    const findings = check(associationInLoop, files, 'app/views/posts/_post.json.jbuilder');
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 15 }]);
  });

  test('json.array! with partial: and as:', () => {
    const files = app({
      [CONTROLLER]: controller('Post.published'),
      [INDEX]: 'json.array! @posts, partial: "posts/post", as: :post\n',
      'app/views/posts/_post.json.jbuilder': 'json.category post.category.name\n',
    });
    assert.deepEqual(check(associationInLoop, files, 'app/views/posts/_post.json.jbuilder').map(at), [{ rule: 'queries/association-in-loop', line: 1, column: 15 }]);
  });
});

describe('ViewComponent templates', () => {
  const COMPONENT = 'app/components/post_list_component.rb';
  const TEMPLATE = 'app/components/post_list_component.html.erb';
  const component = (methods: string) => `class PostListComponent < ViewComponent::Base\n  def initialize(posts:, user: nil)\n    @posts = posts\n    @user = user\n  end\n${methods}end\n`;

  test('a loop over an ivar set from an initializer parameter: the caller\'s value, unknown, silent', () => {
    const files = app({ [COMPONENT]: component(''), [TEMPLATE]: '<% @posts.each do |post| %>\n  <%= post.author.name %>\n<% end %>\n' });
    assert.deepEqual(check(associationInLoop, files, TEMPLATE), []);
  });

  test('a component method returning a relation: the template\'s loop over it reads an association per row', () => {
    const files = app({
      [COMPONENT]: component('\n  def posts\n    Post.where(author: @user).order(:id)\n  end\n'),
      [TEMPLATE]: '<% posts.each do |post| %>\n  <%= post.category.name %>\n<% end %>\n',
    });
    const findings = check(associationInLoop, files, TEMPLATE);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
    assert.match(findings[0].message, /post_list_component\.rb:8/);
  });

  test('near miss: the component method preloads the association', () => {
    const files = app({
      [COMPONENT]: component('\n  def posts\n    Post.where(author: @user).includes(:category)\n  end\n'),
      [TEMPLATE]: '<% posts.each do |post| %>\n  <%= post.category.name %>\n<% end %>\n',
    });
    assert.deepEqual(check(associationInLoop, files, TEMPLATE), []);
  });

  test('an ivar the component sets from a query, in a HAML template in the sidecar folder', () => {
    const files = app({
      'app/components/recent_posts_component.rb': 'class RecentPostsComponent < ViewComponent::Base\n  def initialize(limit:)\n    @posts = Post.published.order(id: :desc)\n  end\nend\n',
      'app/components/recent_posts_component/recent_posts_component.html.haml': '%ul\n  - @posts.each do |post|\n    %li= post.author.name\n',
    });
    const findings = check(associationInLoop, files, 'app/components/recent_posts_component/recent_posts_component.html.haml');
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 3, column: 10 }]);
  });

  test('a query the template itself builds', () => {
    const files = app({ [COMPONENT]: component(''), [TEMPLATE]: '<% Post.where(published: true).each do |post| %>\n  <%= post.author.name %>\n<% end %>\n' });
    assert.deepEqual(check(associationInLoop, files, TEMPLATE).map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 7 }]);
  });
});

describe('ViewComponent rendered per element of a collection', () => {
  const COMPONENT = 'app/components/post_component.rb';
  const TEMPLATE = 'app/components/post_component.html.erb';
  const INDEX = 'app/views/posts/index.html.erb';
  const component = 'class PostComponent < ViewComponent::Base\n  attr_reader :post\n\n  def initialize(post:)\n    @post = post\n  end\nend\n';

  test('with_collection(@posts): an association the template reads runs once per rendered post', () => {
    const files = app({
      [CONTROLLER]: controller('Post.published'),
      [INDEX]: '<%= render(PostComponent.with_collection(@posts)) %>\n',
      [COMPONENT]: component,
      [TEMPLATE]: '<h2><%= @post.title %></h2>\n<p><%= @post.author.name %></p>\n',
    });
    const findings = check(associationInLoop, files, TEMPLATE);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 2, column: 8 }]);
    assert.match(findings[0].message, /each time this component is rendered for a post/);
  });

  test('near miss: the controller preloads it', () => {
    const files = app({
      [CONTROLLER]: controller('Post.published.includes(:author)'),
      [INDEX]: '<%= render(PostComponent.with_collection(@posts)) %>\n',
      [COMPONENT]: component,
      [TEMPLATE]: '<p><%= @post.author.name %></p>\n',
    });
    assert.deepEqual(check(associationInLoop, files, TEMPLATE), []);
  });

  test('PostComponent.new(post: post) inside a loop, read through attr_reader in a HAML template', () => {
    const files = app({
      [CONTROLLER]: controller('Post.published'),
      'app/views/posts/index.html.haml': '- @posts.each do |p|\n  = render PostComponent.new(post: p)\n',
      [COMPONENT]: component,
      'app/components/post_component.html.haml': '%p= post.category.name\n',
    });
    assert.deepEqual(check(associationInLoop, files, 'app/components/post_component.html.haml').map(at), [{ rule: 'queries/association-in-loop', line: 1, column: 5 }]);
  });

  test('near miss: rendered once with a single record, nothing per row', () => {
    const files = app({
      [CONTROLLER]: 'class PostsController < ApplicationController\n  def show\n    @post = Post.find(params[:id])\n  end\nend\n',
      'app/views/posts/show.html.erb': '<%= render PostComponent.new(post: @post) %>\n',
      [COMPONENT]: component,
      [TEMPLATE]: '<p><%= @post.author.name %></p>\n',
    });
    assert.deepEqual(check(associationInLoop, files, TEMPLATE), []);
  });
});

describe('the CLI on HAML, jbuilder and component templates', () => {
  test('they are listed and analysed like ERB views', () => {
    const dir = makeApp({
      ...BLOG,
      [CONTROLLER]: controller('Post.published.order(:id)'),
      'app/views/posts/index.html.haml': '- @posts.each do |post|\n  %p= post.author.name\n',
      'app/views/posts/index.json.jbuilder': 'json.array! @posts do |post|\n  json.category post.category.name\nend\n',
      'app/views/posts/show.html.slim': 'p = @post.author.name\n',
      'app/components/tag_cloud_component.rb': 'class TagCloudComponent < ViewComponent::Base\n  def tags = Tag.order(:name)\nend\n',
      'app/components/tag_cloud_component.html.haml': '- Post.published.each do |post|\n  = post.category.name\n',
    });
    const listed = new Workspace({ rules: allRules }).listAnalyzableFiles(dir).map((f) => path.relative(dir, f).replace(/\\/g, '/'));
    for (const f of ['app/views/posts/index.html.haml', 'app/views/posts/index.json.jbuilder', 'app/components/tag_cloud_component.html.haml']) assert.ok(listed.includes(f), f);
    assert.ok(!listed.includes('app/views/posts/show.html.slim'), 'Slim is not read yet');
    const r = spawnSync(process.execPath, [BIN, 'check', dir, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const found = JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'queries/association-in-loop')
      .map((f: { file: string; line: number; column: number }) => `${path.relative(dir, f.file)}:${f.line}:${f.column}`).sort();
    assert.deepEqual(found, [
      'app/components/tag_cloud_component.html.haml:2:5',
      'app/views/posts/index.html.haml:2:7',
      'app/views/posts/index.json.jbuilder:2:17',
    ]);
  });
});
