// The HAML projection: the Ruby of a template at its own lines and columns, blocks closed where their
// indented bodies end, and nothing from filters or comments.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hamlToRuby } from '../../../server/src/parsing/haml';
import { initParsers, parseRuby, type Node } from '../../../server/src/parsing/treeSitter';

before(initParsers);

const haml = (...lines: string[]) => lines.join('\n') + '\n';

/** Parses the projection; returns where the first node with this text starts, and the tree's shape. */
function parsed(template: string) {
  const tree = parseRuby(hamlToRuby(template));
  const find = (text: string, type?: string): Node | undefined => {
    const walk = (n: Node): Node | undefined => {
      if (n.text === text && (!type || n.type === type)) return n;
      for (const c of n.namedChildren) { const f = c && walk(c); if (f) return f; }
      return undefined;
    };
    return walk(tree.rootNode);
  };
  const at = (text: string, type?: string): [number, number] | undefined => {
    const n = find(text, type);
    return n ? [n.startPosition.row, n.startPosition.column] : undefined;
  };
  const enclosingCall = (text: string): string | undefined => {
    for (let n = find(text)?.parent; n; n = n.parent) if (n.type === 'call' && n.childForFieldName('block')) return n.childForFieldName('method')?.text;
    return undefined;
  };
  // Small trees, read lazily by the assertions: freed with the test process.
  return { hasError: tree.rootNode.hasError, at, enclosingCall, top: tree.rootNode.namedChildren.map((c) => c!.type), sexp: tree.rootNode.toString() };
}

describe('HAML projection', () => {
  test('the Ruby of `=`, `-`, tag scripts and `#{}` stays at its line and column', () => {
    const p = parsed(haml(
      '%h1= @post.title',
      '- @posts.each do |post|',
      '  %p Written by #{post.author.name}',
      '  %span.body{title: post.slug}!= post.body',
    ));
    assert.equal(p.hasError, false);
    assert.deepEqual(p.at('@post.title'), [0, 5]);
    assert.deepEqual(p.at('@posts'), [1, 2]);
    assert.deepEqual(p.at('post.author.name'), [2, 18]);
    assert.deepEqual(p.at('post.slug'), [3, 20]);
    assert.deepEqual(p.at('post.body'), [3, 33]);
  });

  test('a block ends where its indented body ends; what follows is outside it', () => {
    const template = haml(
      '- @posts.each do |post|',
      '  %li= post.title',
      '  %hr',
      '= footer_links',
    );
    const ruby = hamlToRuby(template);
    assert.equal(ruby.split('\n')[1], '       post.title;end', 'the end is added after the body\'s last Ruby, before the newline');
    assert.equal(ruby.split('\n').length, template.split('\n').length);
    const p = parsed(template);
    assert.equal(p.hasError, false);
    assert.equal(p.enclosingCall('post.title'), 'each');
    assert.equal(p.enclosingCall('footer_links'), undefined);
    assert.deepEqual(p.at('footer_links'), [3, 2]);
  });

  test('nested blocks, if/else chains and case/when at the level of case close once, inner first', () => {
    const p = parsed(haml(
      '- @posts.each do |post|',
      '  - if post.draft?',
      '    %em draft',
      '  - else',
      '    - post.tags.each do |tag|',
      '      = tag.name',
      '- case @mode',
      '- when :list',
      '  = render "list"',
      '- else',
      '  = render "grid"',
      '%p= done',
    ));
    assert.equal(p.hasError, false, p.sexp);
    assert.deepEqual(p.top, ['call', 'case', 'identifier']);
    assert.equal(p.enclosingCall('tag.name'), 'each');
    assert.deepEqual(p.at('done'), [11, 4]);
  });

  test('a block whose body has no Ruby is closed on its opener\'s line', () => {
    const p = parsed(haml('- if @show', '  %p Hello', '= next_thing'));
    assert.equal(p.hasError, false);
    assert.deepEqual(p.top, ['if', 'identifier']);
  });

  test('multi-line Ruby: comma continuations, `|` multiline lines and attribute hashes over several lines', () => {
    const template = haml(
      '= link_to "All posts",',
      '  posts_path(page: 2)',
      '%p= [@a, |',
      '  @b].compact.size |',
      '%div{data: { count: @posts.size,',
      '  label: @label }}',
      '  = @inner',
    );
    const ruby = hamlToRuby(template);
    assert.ok(!ruby.includes('|'), 'the multiline pipes are HAML, not Ruby');
    const p = parsed(template);
    assert.equal(p.hasError, false, p.sexp);
    assert.deepEqual(p.at('posts_path(page: 2)'), [1, 2]);
    assert.deepEqual(p.at('@b'), [3, 2]);
    assert.deepEqual(p.at('@label'), [5, 9]);
    assert.deepEqual(p.at('@inner'), [6, 4]);
  });

  test('filters, silent comments and their nested lines are blank; the :ruby filter is Ruby', () => {
    const template = haml(
      ':javascript',
      '  var n = #{@posts.count};',
      '-# - Post.all.each do |p|',
      '  = p.author.name',
      '/ an HTML comment #{not_ruby}',
      ':ruby',
      '  total = @posts.sum(&:price)',
      '%p= total',
    );
    const ruby = hamlToRuby(template);
    assert.deepEqual(ruby.split('\n').slice(0, 5).map((l) => l.trim()), ['', '', '', '', '']);
    const p = parsed(template);
    assert.equal(p.hasError, false);
    assert.deepEqual(p.at('total = @posts.sum(&:price)'), [6, 2]);
  });

  test('(…) attributes: interpolated strings and bare values are Ruby', () => {
    const p = parsed(haml('%a(href=@url title="By #{post.author.name}" class=\'plain\') Link'));
    assert.equal(p.hasError, false);
    assert.deepEqual(p.at('@url'), [0, 8]);
    assert.deepEqual(p.at('post.author.name'), [0, 25]);
  });

  test('a Ruby comment on the body\'s last line: the end goes on a later line', () => {
    const p = parsed(haml('- @posts.each do |post|', '  = post.title # the title', '', '= after'));
    assert.equal(p.hasError, false, p.sexp);
    assert.equal(p.enclosingCall('after'), undefined);
  });

  test('attribute "hashes" that are method calls, alone or with pairs, parse at their positions', () => {
    const p = parsed(haml('%dt{ hidden_if(@note.expanded?), id: dom_id(@note) }', '.remote{ hidden }', '%li[@item]{ class: "last" }= @item.name'));
    assert.equal(p.hasError, false, p.sexp);
    assert.deepEqual(p.at('hidden_if(@note.expanded?)'), [0, 5]);
    assert.deepEqual(p.at('@item.name'), [2, 29]);
  });

  test('a multiline block that ends in a comma continues on the next line', () => {
    const p = parsed(haml('= select_tag :format, options_for_select({ |', '  "CSV" => "csv", |', '}), class: "x"', '= @next'));
    assert.equal(p.hasError, false, p.sexp);
    assert.deepEqual(p.at('@next'), [3, 2]);
  });

  test('invariant: each projected character is the template\'s own, a separator or a bracket; only `;end` is added, after a line\'s text', () => {
    const template = haml(
      '!!! 5',
      '%html',
      '  %body{ class: body_class }',
      '    - @posts.each_with_index do |post, i|',
      '      .post[post]{ data: { i: i } }',
      '        %h2= link_to post.title, post # title',
      '        - if post.tags.any?',
      '          %ul',
      '            - post.tags.each do |tag|',
      '              %li(title="#{tag.name}")= tag.name',
      '        - else',
      '          %p No tags for #{post.title}.',
      '    :css',
      '      .x { color: red; }',
      '    = render "footer", |',
      '      year: 2025 |',
    );
    const ruby = hamlToRuby(template);
    const tl = template.split('\n');
    const rl = ruby.split('\n');
    assert.equal(rl.length, tl.length);
    tl.forEach((line, i) => {
      for (let j = 0; j < line.length; j++) {
        assert.ok(rl[i][j] === ' ' || rl[i][j] === line[j] || ';[]'.includes(rl[i][j]), `line ${i + 1} column ${j + 1}: ${JSON.stringify(rl[i])}`);
      }
      assert.match(rl[i].slice(line.length), /^(;end)*$/);
    });
    assert.equal(parseRuby(ruby).rootNode.hasError, false);
  });
});
