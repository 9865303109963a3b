// ActiveModel::Serializer classes applied per element by a controller's `render json:`: the serializer's association
// reads run once per element. Multi-file fixtures: model, serializer, controller and the lockfile that says AMS.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import { at, initParsers, run } from '../../helpers/ruleTester';
import { BLOG, applyFixToApp, queryApp, type Files } from '../../helpers/queryApp';
import { parseLockfile } from '../../../server/src/lockfile/lockfileParser';
import { fileKindOf } from '../../../server/src/core/fileKind';
import type { Finding } from '../../../server/src/core/types';

before(initParsers);

const LOCK = (gem: string, version: string): string =>
  `GEM\n  remote: https://rubygems.org/\n  specs:\n    ${gem} (${version})\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  ${gem}\n`;

const SERIALIZER = 'app/serializers/post_serializer.rb';
const CONTROLLER = 'app/controllers/posts_controller.rb';

const POST_SERIALIZER = [
  'class PostSerializer < ActiveModel::Serializer',
  '  attributes :id, :title, :author_name',
  '  has_many :comments',
  '',
  '  def author_name',
  '    object.author.name',
  '  end',
  'end',
  '',
].join('\n');

const controller = (relation: string, render = 'render json: @posts'): string =>
  `class PostsController < ApplicationController\n  def index\n    @posts = ${relation}\n    ${render}\n  end\nend\n`;

/** Runs the rule on `rel` of the blog app plus `files`; the app's gems come from its Gemfile.lock, as the project reads them. */
function check(files: Files, rel = SERIALIZER): Finding[] {
  const all = { ...BLOG, ...files };
  const app = queryApp(all);
  const lock = all['Gemfile.lock'];
  if (lock) (app as { gems: ReadonlyMap<string, string> }).gems = new Map(parseLockfile(lock).specs.map((s) => [s.name, s.version]));
  return run(associationInLoop, all[rel], { file: rel, kind: fileKindOf(rel), app });
}

const AMS = { 'Gemfile.lock': LOCK('active_model_serializers', '0.10.14') };

describe('a serializer applied per element by render json:', () => {
  test('reports each association the serializer reads, at the read, naming the action and the render', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.all') };
    const findings = check(files);
    assert.deepEqual(findings.map(at), [
      { rule: 'queries/association-in-loop', line: 3, column: 12 },
      { rule: 'queries/association-in-loop', line: 6, column: 5 },
    ]);
    const [comments, author] = findings;
    assert.equal(comments.severity, 'warning');
    assert.match(comments.message, /^`has_many :comments` reads `comments` per element when `PostsController#index` renders `@posts` with PostSerializer: one query per post \(N\+1; unbounded.*; rendered at app\/controllers\/posts_controller\.rb:4\)/);
    assert.match(author.message, /^`object\.author` in `author_name` reads `author` per element when `PostsController#index` renders `@posts` with PostSerializer/);
    assert.ok(comments.related?.some((r) => r.file.endsWith(CONTROLLER) && r.range.start.line === 3), 'the render is a related location');
  });

  test('the fix adds the preload to the relation in the controller', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.all') };
    const fix = check(files)[0].fixes?.[0];
    assert.ok(fix, 'an includes fix');
    assert.equal(applyFixToApp(files, fix)[CONTROLLER], controller('Post.all.includes(:comments)'));
  });

  test('each_serializer: names the serializer; an AMS collection wrapper does too', () => {
    const other = POST_SERIALIZER.replace('class PostSerializer', 'class PostSummarySerializer');
    const rel = 'app/serializers/post_summary_serializer.rb';
    const explicit = check({ ...AMS, [rel]: other, [CONTROLLER]: controller('Post.all', 'render json: @posts, each_serializer: PostSummarySerializer') }, rel);
    assert.deepEqual(explicit.map((f) => f.range.start.line + 1), [3, 6]);
    const wrapped = check({ ...AMS, [rel]: other, [CONTROLLER]: controller('Post.all', 'render json: ActiveModel::Serializer::CollectionSerializer.new(@posts, serializer: PostSummarySerializer)') }, rel);
    assert.deepEqual(wrapped.map((f) => f.range.start.line + 1), [3, 6], '`serializer:` of CollectionSerializer is the elements\' serializer');
    const array = check({ ...AMS, [rel]: other, [CONTROLLER]: controller('Post.all', 'render json: ActiveModel::ArraySerializer.new(@posts, each_serializer: PostSummarySerializer)') }, rel);
    assert.deepEqual(array.map((f) => f.range.start.line + 1), [3, 6]);
  });

  test('a hint when the collection is one owner\'s rows (size unknown)', () => {
    const ctrl = controller('Post.where(author_id: params[:user_id])');
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl });
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity]), [[3, 'hint'], [6, 'hint']]);
    assert.match(findings[0].message, /\(N\+1; size unknown/);
  });

  test('a hint when the serializer is cached (the reads run on cache misses only)', () => {
    const cached = POST_SERIALIZER.replace('  attributes :id', '  cached\n  attributes :id');
    const findings = check({ ...AMS, [SERIALIZER]: cached, [CONTROLLER]: controller('Post.all') });
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity]), [[4, 'hint'], [7, 'hint']]);
    assert.match(findings[0].message, /PostSerializer is cached: the reads run only for elements whose cache entry is missing\.$/);
  });

  test('a hint when the declaration is conditional (`if:`): only the elements it lets through read it', () => {
    const conditional = POST_SERIALIZER.replace('  has_many :comments', '  has_many :comments, if: :commentable?');
    const findings = check({ ...AMS, [SERIALIZER]: conditional, [CONTROLLER]: controller('Post.all') });
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity]), [[3, 'hint'], [6, 'warning']]);
    assert.match(findings[0].message, /reads it only when `if: :commentable\?` lets the element through\.$/);
  });
});

describe('near misses: silent', () => {
  test('the relation that reaches the render preloads what the serializer reads', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.includes(:comments, :author)') };
    assert.deepEqual(check(files), []);
  });

  test('`include:` on the render chooses the associations: the declarations are not read by default', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.all', "render json: @posts, include: ''") };
    assert.deepEqual(check(files).map((f) => f.range.start.line + 1), [6], 'the attribute method still reads `author`');
  });

  test('a serializer that reads only columns', () => {
    const columns = 'class PostSerializer < ActiveModel::Serializer\n  attributes :id, :title, :published\n\n  def title\n    object.title.upcase\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: columns, [CONTROLLER]: controller('Post.all') }), []);
  });

  test('no serializer gem in the lockfile', () => {
    assert.deepEqual(check({ [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.all') }), []);
    const other = { 'Gemfile.lock': LOCK('jsonapi-serializer', '2.2.0') };
    assert.deepEqual(check({ ...other, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('Post.all') }), []);
  });

  test('one record rendered, not a collection', () => {
    const ctrl = 'class PostsController < ApplicationController\n  def show\n    @post = Post.find(params[:id])\n    render json: @post\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl }), []);
  });

  test('an unknown collection (a service the analysis does not read)', () => {
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: controller('PostFeed.new(current_user).entries') }), []);
  });

  test('another serializer named by each_serializer:, and a default serializer of another model', () => {
    const named = controller('Post.all', 'render json: @posts, each_serializer: PostSummarySerializer');
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: named }), []);
    const comments = 'class CommentsController < ApplicationController\n  def index\n    @comments = Comment.all\n    render json: @comments\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, 'app/controllers/comments_controller.rb': comments }), []);
  });

  test('a has_many read through a query per element (`object.comments.where(…)`) is not one includes can serve', () => {
    const scoped = 'class PostSerializer < ActiveModel::Serializer\n  attributes :recent\n\n  def recent\n    object.comments.where(flagged: false).count\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: scoped, [CONTROLLER]: controller('Post.all') }), []);
    const summed = 'class PostSerializer < ActiveModel::Serializer\n  attributes :words\n\n  def words\n    object.comments.sum(:word_count)\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: summed, [CONTROLLER]: controller('Post.all') }), [], '`sum(:column)` is SQL even on loaded records');
  });
});
