// ActiveModel::Serializer classes applied per element by a controller's `render json:`: the serializer's association
// reads run once per element. Multi-file fixtures: model, serializer, controller and the lockfile that says AMS.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import queryInLoop from '../../../server/src/rules/queries/query-in-loop';
import type { Rule } from '../../../server/src/core/rule';
import { at, initParsers, run } from '../../helpers/ruleTester';
import { BLOG, applyFixToApp, queryApp, type Files } from '../../helpers/queryApp';
import { parseLockfile } from '../../../server/src/lockfile/lockfileParser';
import { fileKindOf } from '../../../server/src/core/fileKind';
import type { Finding } from '../../../server/src/core/types';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import { readAmsInitializer } from '../../../server/src/project/rubyConfig';

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
function check(files: Files, rel = SERIALIZER, rule: Rule = associationInLoop): Finding[] {
  const all = { ...BLOG, ...files };
  const app = queryApp(all);
  const lock = all['Gemfile.lock'];
  if (lock) (app as { gems: ReadonlyMap<string, string> }).gems = new Map(parseLockfile(lock).specs.map((s) => [s.name, s.version]));
  const initializer = all[AMS_INITIALIZER];
  if (initializer) {
    const tree = parseRuby(initializer);
    try { app.amsDefaultIncludes = readAmsInitializer(tree).defaultIncludes; } finally { tree.delete(); }
  }
  return run(rule, all[rel], { file: rel, kind: fileKindOf(rel), app });
}

const AMS_INITIALIZER = 'config/initializers/active_model_serializers.rb';
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

const COMMENT_SERIALIZER_FILE = 'app/serializers/comment_serializer.rb';
const COMMENT_SERIALIZER = [
  'class CommentSerializer < ActiveModel::Serializer',
  '  attributes :id, :body, :user_name',
  '  has_one :user',
  '',
  '  def user_name',
  '    object.user.name',
  '  end',
  'end',
  '',
].join('\n');
const NESTING = POST_SERIALIZER.replace('  has_many :comments', '  has_many :comments, serializer: CommentSerializer');

describe('a serializer nested by a declaration (`serializer:`) reads the associated records per element', () => {
  test('its method reads are reported in its file, through the declaration, with the nested preload as the fix', () => {
    const files = { ...AMS, [SERIALIZER]: NESTING, [COMMENT_SERIALIZER_FILE]: COMMENT_SERIALIZER, [CONTROLLER]: controller('Post.includes(:comments, :author)') };
    const findings = check(files, COMMENT_SERIALIZER_FILE);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 6, column: 5 }]);
    assert.match(findings[0].message, /^`object\.user` in `user_name` reads `user` of each `comments` per element when `PostsController#index` renders `@posts` with PostSerializer through `has_many :comments` \(PostSerializer\): one query per post/);
    assert.ok(findings[0].related?.some((r) => r.file.endsWith(SERIALIZER) && r.range.start.line === 2), 'the nesting declaration is a hop');
    const fix = findings[0].fixes?.[0];
    assert.ok(fix);
    assert.equal(applyFixToApp(files, fix)[CONTROLLER], controller('Post.includes(:comments, :author, comments: :user)'));
  });

  test('0.10 serializes one level of associations: the nested serializer\'s declarations are read only on 0.8', () => {
    const files = { [SERIALIZER]: NESTING, [COMMENT_SERIALIZER_FILE]: COMMENT_SERIALIZER.replace('  attributes :id, :body, :user_name', '  attributes :id, :body').replace(/\n  def user_name\n    object\.user\.name\n  end\n/, ''), [CONTROLLER]: controller('Post.includes(:comments, :author)') };
    assert.deepEqual(check({ ...AMS, ...files }, COMMENT_SERIALIZER_FILE), []);
    const legacy = check({ 'Gemfile.lock': LOCK('active_model_serializers', '0.8.4'), ...files }, COMMENT_SERIALIZER_FILE);
    assert.deepEqual(legacy.map((f) => f.range.start.line + 1), [3]);
    const everyLevel = { [AMS_INITIALIZER]: "ActiveModelSerializers.config.tap do |config|\n  config.default_includes = '**'\nend\n" };
    const deep = check({ ...AMS, ...everyLevel, ...files }, COMMENT_SERIALIZER_FILE);
    assert.deepEqual(deep.map((f) => f.range.start.line + 1), [3], "0.10 with `default_includes = '**'` serializes every level");
  });

  test('silent when the relation preloads the nested association', () => {
    const files = { ...AMS, [SERIALIZER]: NESTING, [COMMENT_SERIALIZER_FILE]: COMMENT_SERIALIZER, [CONTROLLER]: controller('Post.includes(:author, comments: :user)') };
    assert.deepEqual(check(files, COMMENT_SERIALIZER_FILE), []);
  });
});

describe('a serializer applied through a subclass', () => {
  const SUBCLASS_FILE = 'app/serializers/post_with_stats_serializer.rb';
  const subclass = (body: string): string => `class PostWithStatsSerializer < PostSerializer\n  attributes :views\n${body}end\n`;
  const render = controller('Post.all', 'render json: @posts, each_serializer: PostWithStatsSerializer');

  test('the parent\'s reads are reported in the parent\'s file, naming the subclass', () => {
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [SUBCLASS_FILE]: subclass(''), [CONTROLLER]: render });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
    assert.match(findings[1].message, /^`object\.author` in `author_name` reads `author` per element when `PostsController#index` renders `@posts` with PostWithStatsSerializer \(a subclass of PostSerializer\): one query per post/);
  });

  test('a method the subclass redefines replaces the parent\'s reads in it', () => {
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [SUBCLASS_FILE]: subclass('\n  def author_name\n    "anonymous"\n  end\n'), [CONTROLLER]: render });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3]);
  });
});

describe('a collection handed with its serializer to a method (a view helper, ArraySerializer outside render)', () => {
  const VIEW = 'app/views/posts/index.html.erb';
  const action = (assign: string): string => `class PostsController < ApplicationController\n  def index\n    ${assign}\n  end\nend\n`;

  test('a helper given the collection and the serializer class in a view', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: action('@posts = Post.all'), [VIEW]: '<%= inject_json_array("posts", @posts, PostSerializer) %>\n' };
    const findings = check(files);
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity]), [[3, 'warning'], [6, 'warning']]);
    assert.match(findings[0].message, /^`has_many :comments` reads `comments` per element when `posts\/index` passes `@posts` to `inject_json_array` with PostSerializer: one query per post \(N\+1; unbounded.*; serialized at app\/views\/posts\/index\.html\.erb:1\)/);
    const fix = findings[0].fixes?.[0];
    assert.ok(fix);
    assert.equal(applyFixToApp(files, fix)[CONTROLLER], action('@posts = Post.all.includes(:comments)'));
  });

  test('ActiveModel::ArraySerializer.new(…, each_serializer:) assigned in an action', () => {
    const ctrl = action('@posts = Post.all\n    json = ActiveModel::ArraySerializer.new(@posts, each_serializer: PostSerializer).to_json\n    render plain: json');
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
    assert.match(findings[0].message, /when `PostsController#index` passes `@posts` to `ActiveModel::ArraySerializer\.new` with PostSerializer/);
  });

  test('`render json: ActiveModel::ArraySerializer.new(…).to_json`: the wrapper inside the render, reported once per read', () => {
    const ctrl = action('@posts = Post.all\n    render json: ActiveModel::ArraySerializer.new(@posts, each_serializer: PostSerializer).to_json');
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
  });

  test('a private method that wraps its parameter in ArraySerializer.new: the action\'s collection goes through it (OFN /api/orders)', () => {
    const ctrl = (relation: string): string => [
      'class PostsController < ApplicationController',
      '  def index',
      `    posts = ${relation}`,
      '    render json: { posts: serialized_posts(posts), total: posts.count }',
      '  end',
      '',
      '  private',
      '',
      '  def serialized_posts(posts)',
      '    ActiveModel::ArraySerializer.new(posts, each_serializer: PostSerializer)',
      '  end',
      'end',
      '',
    ].join('\n');
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl('Post.where(published: true)') });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
    assert.match(findings[0].message, /when `PostsController#index` passes `Post\.where\(published: true\)` to `serialized_posts` with PostSerializer.*serialized at app\/controllers\/posts_controller\.rb:10\)/);
    // Near misses: the action hands it a preloaded relation, or something the analysis cannot read.
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl('Post.includes(:comments, :author).where(published: true)') }), []);
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: ctrl('PostFinder.call(params)') }), []);
  });

  test('near misses: one record with its serializer, the serializer as the receiver, a preloaded collection', () => {
    const one = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: action('@post = Post.find(params[:id])'), [VIEW]: '<%= inject_json("post", @post, PostSerializer) %>\n' };
    assert.deepEqual(check(one), []);
    const receiver = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: action('@posts = Post.all'), [VIEW]: '<%= raw PostSerializer.new(@posts).to_json %>\n' };
    assert.deepEqual(check(receiver), []);
    const preloaded = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [CONTROLLER]: action('@posts = Post.includes(:comments, :author)'), [VIEW]: '<%= inject_json_array("posts", @posts, PostSerializer) %>\n' };
    assert.deepEqual(check(preloaded), []);
  });
});

describe('a query on an association in a serializer applied per element (query-in-loop)', () => {
  const summed = 'class PostSerializer < ActiveModel::Serializer\n  attributes :words\n\n  def words\n    object.comments.sum(:word_count)\n  end\nend\n';

  test('`object.comments.sum(:column)` runs one query per element: reported by query-in-loop at the read', () => {
    const findings = check({ ...AMS, [SERIALIZER]: summed, [CONTROLLER]: controller('Post.all') }, SERIALIZER, queryInLoop);
    assert.deepEqual(findings.map(at), [{ rule: 'queries/query-in-loop', line: 5, column: 5 }]);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /^`object\.comments\.sum` in `words` runs a query per element when `PostsController#index` renders `@posts` with PostSerializer: one query per post \(N\+1; unbounded/);
    assert.match(findings[0].message, /Preload `comments` and compute it from the loaded records/);
  });

  test('`count` per element, and a preloaded relation does not help a query', () => {
    const counted = summed.replace('object.comments.sum(:word_count)', 'object.comments.count');
    const findings = check({ ...AMS, [SERIALIZER]: counted, [CONTROLLER]: controller('Post.includes(:comments)') }, SERIALIZER, queryInLoop);
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [5]);
    assert.match(findings[0].message, /Preload `comments` and use `comments\.size`/);
  });

  test('near misses: a sum over loaded records (block), a size, one record serialized', () => {
    const block = summed.replace('object.comments.sum(:word_count)', 'object.comments.sum { |c| c.word_count }');
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: block, [CONTROLLER]: controller('Post.all') }, SERIALIZER, queryInLoop), []);
    const size = summed.replace('object.comments.sum(:word_count)', 'object.comments.size');
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: size, [CONTROLLER]: controller('Post.all') }, SERIALIZER, queryInLoop), []);
    const one = 'class PostsController < ApplicationController\n  def show\n    @post = Post.find(params[:id])\n    render json: @post\n  end\nend\n';
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: summed, [CONTROLLER]: one }, SERIALIZER, queryInLoop), []);
  });
});

describe('each_serializer: chosen by a method of the controller', () => {
  const chooser = (body: string): string => 'class PostsController < ApplicationController\n  def index\n    @posts = Post.all\n    render json: @posts, each_serializer: index_serializer\n  end\n\n  private\n\n'
    + `  def index_serializer\n${body}  end\nend\n`;
  const SUMMARY_FILE = 'app/serializers/post_summary_serializer.rb';
  const SUMMARY = 'class PostSummarySerializer < ActiveModel::Serializer\n  attributes :id\nend\n';

  test('every serializer the method returns on its branches is applied per element', () => {
    const ctrl = chooser('    if params[:summary]\n      PostSummarySerializer\n    else\n      PostSerializer\n    end\n');
    const findings = check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [SUMMARY_FILE]: SUMMARY, [CONTROLLER]: ctrl });
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
  });

  test('near miss: a method whose result is not a serializer constant on every branch is not the model\'s default either', () => {
    const ctrl = chooser('    params[:summary] ? PostSummarySerializer : serializer_for(Post)\n');
    assert.deepEqual(check({ ...AMS, [SERIALIZER]: POST_SERIALIZER, [SUMMARY_FILE]: SUMMARY, [CONTROLLER]: ctrl }), []);
  });
});

describe('a view helper that hands the action\'s instance variable to a serializer', () => {
  const HELPER = 'app/helpers/posts_helper.rb';
  const INJECT = 'module PostsHelper\n  def inject_posts\n    inject_json_array "posts", @posts, PostSerializer\n  end\nend\n';
  const action = (name: string, assign: string): string => `class PostsController < ApplicationController\n  def ${name}\n    ${assign}\n  end\nend\n`;

  test('the views that call the helper give the ivar its value', () => {
    const files = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [HELPER]: INJECT, [CONTROLLER]: action('index', '@posts = Post.all'), 'app/views/posts/index.html.erb': '<%= inject_posts %>\n' };
    const findings = check(files);
    assert.deepEqual(findings.map((f) => f.range.start.line + 1), [3, 6]);
    assert.match(findings[0].message, /^`has_many :comments` reads `comments` per element when `PostsHelper#inject_posts` \(called in `posts\/index`\) passes `@posts` to `inject_json_array` with PostSerializer: one query per post/);
    assert.ok(findings[0].related?.some((r) => r.file.endsWith(HELPER) && r.range.start.line === 2), 'the helper\'s call is the related location');
  });

  test('near misses: no view calls the helper; the views that call it render an action that does not assign the ivar', () => {
    const uncalled = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [HELPER]: INJECT, [CONTROLLER]: action('index', '@posts = Post.all'), 'app/views/posts/index.html.erb': '<%= @posts.size %>\n' };
    assert.deepEqual(check(uncalled), []);
    const unassigned = { ...AMS, [SERIALIZER]: POST_SERIALIZER, [HELPER]: INJECT, [CONTROLLER]: action('show', '@post = Post.find(params[:id])'), 'app/views/posts/show.html.erb': '<%= inject_posts %>\n' };
    assert.deepEqual(check(unassigned), []);
  });
});

describe('an attribute method with a condition', () => {
  test('`attribute :author_name, if: :signed_in?`: its method\'s reads are a hint (only the elements it lets through read them)', () => {
    const conditional = POST_SERIALIZER.replace('  attributes :id, :title, :author_name', '  attributes :id, :title\n  attribute :author_name, if: :signed_in?');
    const findings = check({ ...AMS, [SERIALIZER]: conditional, [CONTROLLER]: controller('Post.all') });
    assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity]), [[4, 'warning'], [7, 'hint']]);
    assert.match(findings[1].message, /reads it only when `if: :signed_in\?` lets the element through\.$/);
  });
});

describe('a relation an overridden `collection` method returns, through a parent controller\'s before_action', () => {
  const BASE = 'app/controllers/resource_controller.rb';
  const base = [
    'class ResourceController < ApplicationController',
    '  before_action :load_resource',
    '',
    '  private',
    '',
    '  def load_resource',
    '    @collection ||= collection',
    '  end',
    'end',
    '',
  ].join('\n');
  const files = (empty: string, relation = 'PostsWithStats.new(params[:category_id]).query'): Files => ({
    ...AMS,
    [SERIALIZER]: 'class PostSerializer < ActiveModel::Serializer\n  attributes :id, :author_name\n\n  def author_name\n    object.author.name\n  end\nend\n',
    [BASE]: base,
    'app/services/posts_with_stats.rb': 'class PostsWithStats\n  def initialize(category)\n    @category = category\n  end\n\n  def query\n    Post.where(category_id: @category).group("posts.id")\n  end\nend\n',
    [CONTROLLER]: [
      'class PostsController < ResourceController',
      '  def index',
      '    render json: @collection, each_serializer: PostSerializer',
      '  end',
      '',
      '  private',
      '',
      '  def collection',
      '    if params[:category_id].present?',
      '      posts_relation.includes(:comments)',
      '    else',
      `      ${empty}`,
      '    end',
      '  end',
      '',
      '  def posts_relation',
      `    ${relation}`,
      '  end',
      'end',
      '',
    ].join('\n'),
  });

  test('the other branch returns no rows (`where(\'1=0\')`): the query object\'s relation is what is serialized', () => {
    const findings = check(files("Post.where('1=0')"));
    assert.deepEqual(findings.map(at), [{ rule: 'queries/association-in-loop', line: 5, column: 5 }]);
    assert.equal(findings[0].severity, 'hint');
    assert.match(findings[0].message, /^`object\.author` in `author_name` reads `author` per element when `PostsController#index` renders `@collection` with PostSerializer/);
  });

  test('near miss: the other branch returns rows of another model: the paths disagree, unknown', () => {
    assert.deepEqual(check(files('Comment.all')), []);
  });

  test('near miss: the relation comes from something the analysis does not read', () => {
    assert.deepEqual(check(files("Post.where('1=0')", 'PostsQuery.call(params)')), []);
  });
});
