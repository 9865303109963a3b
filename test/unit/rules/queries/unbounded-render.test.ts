import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/unbounded-render';
import { at, initParsers } from '../../../helpers/ruleTester';
import { BLOG, check } from '../../../helpers/queryApp';

before(initParsers);

const CONTROLLER = 'app/controllers/posts_controller.rb';
const INDEX = 'app/views/posts/index.html.erb';
const files = (assign: string, view = '<% @posts.each do |post| %><%= post.title %><% end %>\n') => ({
  ...BLOG,
  [CONTROLLER]: `class PostsController < ApplicationController\n  def index\n    @posts = ${assign}\n  end\nend\n`,
  [INDEX]: view,
  'app/views/posts/_post.html.erb': '<%= post.title %>\n',
});

describe('queries/unbounded-render', () => {
  test('a view loops over a relation the controller built without limit or pagination', () => {
    const findings = check(rule, files('Post.published.order(:id)'), INDEX);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/unbounded-render', line: 1, column: 4 }]);
    assert.equal(findings[0].severity, 'hint');
    assert.match(findings[0].message, /`@posts` is `Post\.published\.order\(:id\)` \(built in app\/controllers\/posts_controller\.rb:3\) with no limit or pagination/);
  });

  test('collection renders in views and controllers; render json: is unbounded-serialization\'s', () => {
    assert.equal(check(rule, files('Post.all', '<%= render @posts %>\n'), INDEX).length, 1);
    assert.equal(check(rule, files('Post.all', '<%= render partial: "post", collection: @posts %>\n'), INDEX).length, 1);
    const ctrl = 'app/controllers/feeds_controller.rb';
    const html = { ...BLOG, [ctrl]: 'class FeedsController < ApplicationController\n  def index\n    render partial: "posts/post", collection: Post.where(published: true)\n  end\n\n  def show\n    render json: Post.where(published: true)\n  end\nend\n' };
    assert.deepEqual(check(rule, html, ctrl).map(at), [{ rule: 'queries/unbounded-render', line: 3, column: 47 }]);
  });

  test('near misses: limit(10), page/per, where(id:), a single record, relations written in the view, unknown controller', () => {
    for (const assign of ['Post.order(:id).limit(10)', 'Post.published.page(params[:page]).per(25)', 'Post.where(id: params[:ids])', 'Post.find(params[:id]).comments']) {
      assert.deepEqual(check(rule, files(assign), INDEX), [], assign);
    }
    assert.deepEqual(check(rule, files('Post.all', '<% Category.all.each do |c| %><%= c.name %><% end %>\n'), INDEX), []);
    const { [CONTROLLER]: _c, ...noController } = files('Post.all');
    assert.deepEqual(check(rule, noController, INDEX), []);
  });

  test('each branch limits its own relation through a shared method: bounded on every path (osm feeds near miss)', () => {
    const body = (limitElse: string) => [
      'if params[:category_id]',
      '      @posts = Category.find(params[:category_id]).posts.includes(:author)',
      '      @posts = query_limit(@posts)',
      '    else',
      '      @posts = Post.includes(:author).where(published: true)',
      `      ${limitElse}`,
      '    end',
    ].join('\n');
    const limited = (limitElse: string) => ({
      ...files(body(limitElse)),
      'app/controllers/concerns/query_methods.rb': 'module QueryMethods\n  private\n\n  def query_limit(items)\n    items.limit(query_limit_value)\n  end\nend\n',
      [CONTROLLER]: `class PostsController < ApplicationController\n  include QueryMethods\n\n  def index\n    ${body(limitElse)}\n  end\nend\n`,
    });
    assert.deepEqual(check(rule, limited('@posts = query_limit(@posts)'), INDEX), []);
    // The positive case: the else branch keeps every published post.
    assert.deepEqual(check(rule, limited('@posts = @posts.order(:id)'), INDEX).map((f) => at(f).line), [1]);
  });
});
