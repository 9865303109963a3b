// Reads per rendered element that go through the app's own code: a jbuilder partial calling a model method that
// loads a has_many whole, a view helper called per element, a ViewComponent rendered per element by another component.
// Multi-file fixtures: models, controller, views (and helpers, components) in their own files.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import queryInLoop from '../../../server/src/rules/queries/query-in-loop';
import { at, initParsers } from '../../helpers/ruleTester';
import { BLOG, check, type Files } from '../../helpers/queryApp';

before(initParsers);

const POST = 'app/models/post.rb';
const withTagNames = (files: Files): Files => ({
  ...BLOG,
  [POST]: BLOG[POST].replace(/\nend\n$/, '\n\n  def tag_names\n    @tag_names ||= tags.map(&:name)\n  end\nend\n'),
  ...files,
});

describe('a jbuilder partial per post calling a model method that loads a has_many whole', () => {
  const PARTIAL = 'app/views/posts/_post.json.jbuilder';
  const files = (find: string): Files => withTagNames({
    'app/controllers/posts_controller.rb': `class PostsController < ApplicationController\n  def index\n    ids = params[:ids].split(",")\n    @posts = ${find}\n  end\nend\n`,
    'app/views/posts/index.json.jbuilder': 'json.array! @posts, partial: "posts/post", as: :post\n',
    [PARTIAL]: 'json.id post.id\njson.tags post.tag_names unless post.tag_names.empty?\n',
  });

  test('`Post.find(ids)`: the method\'s `tags` read is one query per rendered post (a hint: as many as the ids)', () => {
    const findings = check(associationInLoop, files('Post.find(ids)'), PARTIAL);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[2, 11, 'hint']]);
    assert.match(findings[0].message, /^`post\.tag_names` reads `tags` in `Post#tag_names` \(app\/models\/post\.rb:\d+\): one query each time this partial is rendered for a post/);
  });

  test('near miss: the posts are found with their tags', () => {
    assert.deepEqual(check(associationInLoop, files('Post.includes(:tags).find(ids)'), PARTIAL), []);
  });

  test('near miss: one post (`find(params[:id])`) is not a loop', () => {
    const one = files('Post.find(params[:id])');
    one['app/views/posts/index.json.jbuilder'] = 'json.partial! "posts/post", post: @posts\n';
    assert.deepEqual(check(associationInLoop, one, PARTIAL), []);
  });
});

describe('a ViewComponent\'s Ruby methods, run once per render', () => {
  const COMPONENT = 'app/components/post_row_component.rb';
  const component = [
    'class PostRowComponent < ViewComponent::Base',
    '  with_collection_parameter :post',
    '',
    '  def initialize(post:)',
    '    @post = post',
    '  end',
    '',
    '  attr_reader :post',
    '',
    '  def byline',
    '    "by #{post.author.name}"',
    '  end',
    '',
    '  def first_tag',
    '    @first_tag ||= @post.comments.where(approved: true).first',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (posts: string, index = '<%= render PostRowComponent.with_collection(@posts) %>\n'): Files => ({
    ...BLOG,
    'app/controllers/posts_controller.rb': `class PostsController < ApplicationController\n  def index\n    @posts = ${posts}\n  end\nend\n`,
    'app/views/posts/index.html.erb': index,
    [COMPONENT]: component,
  });

  test('rendered per post with `with_collection`: its methods\' association reads and queries are per post', () => {
    const findings = check(associationInLoop, files('Post.published.order(:id)'), COMPONENT);
    assert.deepEqual(findings.map((f) => [at(f).line, at(f).column, f.severity]), [[11, 11, 'warning']]);
    assert.match(findings[0].message, /^`post\.author` runs one query each time this component is rendered for a post \(N\+1; unbounded/);
    const queries = check(queryInLoop, files('Post.published.order(:id)'), COMPONENT);
    assert.deepEqual(queries.map((f) => [at(f).line, at(f).column]), [[15, 20]]);
  });

  test('near miss: the posts come with their authors', () => {
    assert.deepEqual(check(associationInLoop, files('Post.published.includes(:author).order(:id)'), COMPONENT), []);
  });

  test('rendered per post by another component\'s template, from that component\'s method', () => {
    const list = (posts: string): Files => ({
      ...BLOG,
      [COMPONENT]: component,
      'app/components/post_list_component.rb': `class PostListComponent < ViewComponent::Base\n  def posts\n    ${posts}\n  end\nend\n`,
      'app/components/post_list_component.html.erb': '<ul>\n  <%= render PostRowComponent.with_collection(posts) %>\n</ul>\n',
    });
    assert.deepEqual(check(associationInLoop, list('Post.published.order(:id)'), COMPONENT).map((f) => [at(f).line, at(f).column, f.severity]), [[11, 11, 'warning']]);
    assert.deepEqual(check(associationInLoop, list('Post.published.includes(:author)'), COMPONENT), [], 'near miss: that method preloads the authors');
  });

  test('near miss: rendered once for one post', () => {
    const once = files('Post.find(params[:id])', '<%= render PostRowComponent.new(post: @posts) %>\n');
    assert.deepEqual(check(associationInLoop, once, COMPONENT), []);
    assert.deepEqual(check(queryInLoop, once, COMPONENT), []);
  });
});
