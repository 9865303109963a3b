import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../../../server/src/rules/queries/unbounded-serialization';
import unboundedRender from '../../../../server/src/rules/queries/unbounded-render';
import { fileKindOf } from '../../../../server/src/core/fileKind';
import type { Finding } from '../../../../server/src/core/types';
import { at, initParsers, run } from '../../../helpers/ruleTester';
import { BLOG, check, queryApp, type Files } from '../../../helpers/queryApp';

before(initParsers);

const API = 'app/controllers/api/posts_controller.rb';
const api = (index: string, extra = ''): string => `class Api::PostsController < ApplicationController\n  def index\n${index.split('\n').map((l) => `    ${l}`).join('\n')}\n  end\n${extra}end\n`;
const files = (code: string, more: Files = {}): Files => ({ ...BLOG, [API]: code, ...more });

function withGems(all: Files, rel: string, gems: Record<string, string>): Finding[] {
  const app = queryApp(all);
  app.gems = new Map(Object.entries(gems));
  return run(rule, all[rel], { file: rel, kind: fileKindOf(rel), app });
}

describe('queries/unbounded-serialization', () => {
  test('render json: an ivar the action assigned from every row of a growing table: warning with the paginated code', () => {
    const code = api('@posts = Post.published\nrender json: @posts');
    const findings = withGems(files(code), API, { kaminari: '1.2.2' });
    assert.deepEqual(findings.map(at), [{ rule: 'queries/unbounded-serialization', line: 4, column: 18 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /^`render json: @posts` serializes every Post it selects, with no limit or pagination\. /);
    assert.match(findings[0].message, /unbounded: every Post in `Post\.published`/);
    assert.match(findings[0].message, /Paginate where it is built \(kaminari is in Gemfile\.lock\): `@posts = Post\.published\.order\(:id\)\.page\(params\[:page\]\)`/);
  });

  test('the pagination the app uses: pagy, will_paginate, page calls in its controllers, none', () => {
    const code = api('render json: User.all');
    assert.match(withGems(files(code), API, { pagy: '9.0.0' })[0].message, /`@pagy, records = pagy\(User\.order\(:id\)\)` and `render json: records`/);
    assert.match(withGems(files(code), API, { will_paginate: '4.0.1' })[0].message, /`records = User\.order\(:id\)\.paginate\(page: params\[:page\]\)`/);
    const paging = { 'app/controllers/users_controller.rb': 'class UsersController < ApplicationController\n  def index\n    @users = User.order(:name).page(params[:page])\n  end\nend\n' };
    assert.match(withGems(files(code, paging), API, {})[0].message, /its controllers already paginate the kaminari way\): `records = User\.order\(:id\)\.page/);
    assert.match(withGems(files(code), API, {})[0].message, /the app has no pagination gem.*`records = User\.order\(:id\)\.limit\(100\)`/);
  });

  test('render xml:, respond_with in a controller that responds to json, serializers, as_json, a hash', () => {
    const one = (index: string, extra = '', head = '') => check(rule, files(`class Api::PostsController < ApplicationController\n${head}  def index\n    ${index}\n  end\n${extra}end\n`), API);
    assert.deepEqual(one('render xml: Post.all').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 17 }]);
    assert.deepEqual(one('respond_with Post.all', '', '  respond_to :json\n').map(at), [{ rule: 'queries/unbounded-serialization', line: 4, column: 18 }]);
    assert.deepEqual(one('respond_with Post.all'), [], 'respond_with in an HTML controller renders a view');
    assert.deepEqual(one('render json: PostSerializer.new(Post.all).serializable_hash').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 37 }]);
    assert.deepEqual(one('render json: PostBlueprint.render(Post.all, view: :list)').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 39 }]);
    assert.deepEqual(one('render json: Post.all, each_serializer: PostSerializer').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 18 }]);
    assert.deepEqual(one('render json: Post.published.as_json(only: [:id, :title])').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 18 }]);
    assert.deepEqual(one('render json: { posts: Post.all, total: Post.count }').map(at), [{ rule: 'queries/unbounded-serialization', line: 3, column: 27 }]);
  });

  test('a before_action assigns the ivar', () => {
    const code = 'class Api::PostsController < ApplicationController\n  before_action :load_posts\n\n  def index\n    render json: @posts\n  end\n\n  private\n\n  def load_posts\n    @posts = Post.order(:title)\n  end\nend\n';
    assert.deepEqual(check(rule, files(code), API).map(at), [{ rule: 'queries/unbounded-serialization', line: 5, column: 18 }]);
  });

  test('jbuilder: json.array! of what the controller assigned', () => {
    const view = 'app/views/posts/index.json.jbuilder';
    const all = (template: string) => ({ ...BLOG, 'app/controllers/posts_controller.rb': 'class PostsController < ApplicationController\n  def index\n    @posts = Post.published\n  end\nend\n', [view]: template });
    const findings = check(rule, all('json.array! @posts do |post|\n  json.title post.title\nend\n'), view);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/unbounded-serialization', line: 1, column: 13 }]);
    assert.match(findings[0].message, /^`json\.array! @posts` serializes every Post/);
    assert.match(findings[0].message, /\(built in app\/controllers\/posts_controller\.rb:3\)/);
    assert.deepEqual(check(rule, all('json.array! @posts, partial: "posts/post", as: :post\n'), view).map(at), [{ rule: 'queries/unbounded-serialization', line: 1, column: 13 }]);
    assert.deepEqual(check(rule, all('json.partial! "posts/post", collection: @posts, as: :post\n'), view).map(at), [{ rule: 'queries/unbounded-serialization', line: 1, column: 41 }]);
    assert.deepEqual(check(rule, all('json.posts @posts, :id, :title\n'), view).map(at), [{ rule: 'queries/unbounded-serialization', line: 1, column: 12 }]);
  });

  test('hint: one owner\'s rows, an id list (size unknown), an admin page', () => {
    const owned = check(rule, files(api('user = User.find(params[:user_id])\nrender json: user.posts')), API);
    assert.deepEqual(owned.map((f) => [at(f).line, f.severity]), [[4, 'hint']]);
    assert.match(owned[0].message, /size unknown: as many as one User has in `posts`/);
    const ids = check(rule, files(api('render json: Post.where(id: params[:ids])')), API);
    assert.deepEqual(ids.map((f) => f.severity), ['hint']);
    const admin = 'app/controllers/admin/posts_controller.rb';
    const staff = check(rule, { ...BLOG, [admin]: 'class Admin::PostsController < ApplicationController\n  def index\n    render json: Post.published\n  end\nend\n' }, admin);
    assert.deepEqual(staff.map((f) => f.severity), ['hint'], 'a back-office page serves a few staff');
  });

  test('near misses: limit, page, pagy, one record, a literal id list', () => {
    for (const expr of ['Post.order(:id).limit(50)', 'Post.published.page(params[:page])', 'Post.find(params[:id])', 'Post.where(id: [1, 2, 3])', 'Post.find_by(title: params[:title])']) {
      assert.deepEqual(check(rule, files(api(`render json: ${expr}`)), API), [], expr);
    }
    assert.deepEqual(check(rule, files(api('@pagy, @posts = pagy(Post.published)\nrender json: @posts')), API), []);
  });

  test('near miss: a lookup table (belongs to nothing) is silent', () => {
    assert.deepEqual(check(rule, files(api('render json: Category.all')), API), []);
    const countries = { 'app/models/country.rb': 'class Country < ApplicationRecord\nend\n' };
    assert.deepEqual(check(rule, files(api('render json: Country.all'), countries), API), []);
  });

  test('near miss: an API controller rendering one record (@post)', () => {
    const code = api('render json: Post.all.first', '\n  def show\n    @post = Post.find(params[:id])\n    render json: @post\n  end\n');
    assert.deepEqual(check(rule, files(code), API), []);
  });

  test('near miss: a where on a uniquely indexed column selects one row', () => {
    const schema = BLOG['db/schema.rb'].replace('    t.string "email"\n', '    t.string "email"\n    t.index ["email"], unique: true\n');
    assert.deepEqual(check(rule, files(api('render json: User.where(email: params[:email])'), { 'db/schema.rb': schema }), API), []);
    assert.equal(check(rule, files(api('render json: User.where(name: params[:name])'), { 'db/schema.rb': schema }), API).length, 1);
  });

  test('near miss: a relation merged with one built elsewhere (maybe paginated) is not a warning', () => {
    const code = api('@posts = Post.published.merge(paginated)\nrender json: @posts');
    assert.deepEqual(check(rule, files(code), API).map((f) => f.severity), ['hint']);
  });

  test('near miss: tests', () => {
    const dummy = 'spec/dummy/app/controllers/api/posts_controller.rb';
    assert.deepEqual(check(rule, { ...BLOG, [dummy]: api('render json: Post.all') }, dummy), []);
  });

  test('one finding per hazard: unbounded-render no longer reports render json:', () => {
    const code = api('render json: Post.all');
    assert.equal(check(rule, files(code), API).length, 1);
    assert.deepEqual(check(unboundedRender, files(code), API), []);
  });
});
