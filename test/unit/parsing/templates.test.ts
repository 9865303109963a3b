// The Ruby a template is analysed as: same length and lines as the template, code kept, text blanked, each
// tag closed with `;` so consecutive tags stay separate statements.
import { strict as assert } from 'node:assert';
import { before, describe, test } from 'node:test';
import { erbToRuby, initParsers } from '../../../server/src/parsing/treeSitter';
import { rubyOf } from '../../../server/src/parsing/templates';

before(initParsers);

describe('ERB projection', () => {
  test('keeps code at its columns, blanks text, puts a semicolon where each tag closes', () => {
    const template = '<h1>Hi</h1>\n<% @posts.each do |post| -%>\n  <p><%= post.title %></p>\n<% end %>\n';
    const ruby = erbToRuby(template);
    assert.equal(ruby, '           \n   @posts.each do |post|  ; \n         post.title ;     \n   end ; \n');
    assert.equal(ruby.length, template.length);
  });

  test('a template without tags becomes blank lines of the same length', () => {
    assert.equal(erbToRuby('<p>a</p>\r\n<b>\n'), '         \n   \n');
  });

  test('rubyOf projects a changed template again (the kept projection is for the old text only)', () => {
    const file = '/app/app/views/posts/show.html.erb';
    assert.equal(rubyOf(file, '<%= a %>'), '    a ; ');
    assert.equal(rubyOf(file, '<%= bb %>'), '    bb ; ');
    assert.equal(rubyOf(file, '<%= a %>'), '    a ; ');
  });
});
