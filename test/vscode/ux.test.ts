// The editor experience of issue 14 in a real extension host: the callback chain view (a read-only virtual
// document in the Markdown preview with workspace-relative links, refreshed on save), the hazards view,
// fix all safe hazards in a file (command and lightbulb), the rule-id enum of railsHazards.rules, and the
// rule pages bundled with the extension.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, codeOf, open, quickFixes, until, waitForDiagnostics, waitForRule, withCode, wsPath, wsUri } from './helpers';

interface Node { kind: 'area' | 'rule' | 'file' | 'hazard'; group?: { area?: string; ruleId?: string; file?: string; count?: number; hazards?: unknown[] }; item?: { severity: string; ruleId: string } }
interface Api { hazards: { getChildren(n?: Node): Node[]; refresh(): void; minSeverity: string } }

const api = () => vscode.extensions.getExtension<Api>(EXTENSION_ID)!.exports;
const CHAIN_SCHEME = 'rails-hazards-chain';
const chainDocs = () => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === CHAIN_SCHEME);
const previewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .filter((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));

suite('Callback chain view', () => {
  const model = () => wsUri('sample-app', 'app', 'models', 'appointment.rb');

  test('opens a read-only document in the Markdown preview with workspace-relative links, never an Untitled buffer', async () => {
    const editor = await open(model());
    editor.selection = new vscode.Selection(0, 7, 0, 7); // on `Appointment` in `class Appointment`
    const untitledBefore = vscode.workspace.textDocuments.filter((d) => d.isUntitled).length;
    const uri = await vscode.commands.executeCommand<vscode.Uri>('railsHazards.openCallbackChain');
    assert.ok(uri, 'the command returns the chain document it opened');
    assert.equal(uri.scheme, CHAIN_SCHEME);
    const doc = await until(() => chainDocs().find((d) => d.uri.toString() === uri.toString()), 'the chain document to be loaded');
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    assert.equal(vscode.workspace.textDocuments.filter((d) => d.isUntitled).length, untitledBefore, 'no Untitled buffer');
    await until(() => previewTabs().length > 0, 'a Markdown preview tab');
    const markdown = doc.getText();
    assert.match(markdown, /Appointment/);
    assert.match(markdown, /\]\(\/sample-app\/app\/models\/appointment\.rb#L\d+\)/, 'links are relative to the workspace folder');
    assert.doesNotMatch(markdown, /file:\/\//, 'no absolute file:// links');
    // Read-only: no file system backs the scheme, so nothing can be written or saved there.
    assert.notEqual(vscode.workspace.fs.isWritableFileSystem(CHAIN_SCHEME), true);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('x'))));
    assert.equal(await doc.save(), false, 'the chain document cannot be saved');
  });

  test('is updated when the model changes', async () => {
    const uri = wsUri('sample-app', 'app', 'models', 'appointment.rb');
    const doc = await vscode.workspace.openTextDocument(uri);
    const chain = await until(() => chainDocs()[0], 'an open chain document');
    assert.doesNotMatch(chain.getText(), /notify_front_desk/);
    const edit = new vscode.WorkspaceEdit();
    const line = doc.getText().split('\n').findIndex((l) => l.includes('after_update_commit :expire_cache'));
    edit.insert(uri, new vscode.Position(line + 1, 0), '  after_create :notify_front_desk\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await doc.save();
    await until(() => /notify_front_desk/.test(chain.getText()), 'the chain document to show the new callback', 20_000);
  });
});

suite('Hazards view', () => {
  const hazards = () => vscode.languages.getDiagnostics()
    .filter(([uri]) => uri.scheme === 'file')
    .flatMap(([uri, ds]) => ds.filter((d) => d.source === 'rails-hazards' && codeOf(d).includes('/')).map((d) => ({ uri, d })));

  test('groups every published hazard by area → rule → file, with counts', async () => {
    const migration = wsUri('sample-app', 'db', 'migrate', '20250310120000_add_doctor_to_appointments.rb');
    await open(migration);
    await waitForRule(migration, 'migrations/add-foreign-key-validated');
    const tree = api().hazards;
    const areas = await until(() => { tree.refresh(); const a = tree.getChildren(); return a.some((n) => n.group?.area === 'migrations') ? a : undefined; }, 'a migrations area');
    const total = areas.reduce((n, a) => n + (a.group!.count ?? 0), 0);
    assert.equal(total, hazards().length, 'the view counts every rails-hazards diagnostic');
    const migrations = areas.find((a) => a.group?.area === 'migrations')!;
    const rules = tree.getChildren(migrations);
    const foreignKey = rules.find((r) => r.group?.ruleId === 'migrations/add-foreign-key-validated');
    assert.ok(foreignKey, rules.map((r) => r.group?.ruleId).join(', '));
    const files = tree.getChildren(foreignKey);
    assert.equal(files.reduce((n, f) => n + (f.group!.hazards!.length), 0), foreignKey.group!.count);
    assert.ok(files.some((f) => f.group!.file!.endsWith('20250310120000_add_doctor_to_appointments.rb')));
    const counts = rules.map((r) => r.group!.count!);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'rules sorted by count');
  });

  test('the severity filter keeps hazards at or above the chosen severity', async () => {
    const tree = api().hazards;
    try {
      await vscode.commands.executeCommand('railsHazards.hazards.filterSeverity', 'error');
      const leaves = tree.getChildren().flatMap((a) => tree.getChildren(a)).flatMap((r) => tree.getChildren(r)).flatMap((f) => tree.getChildren(f));
      assert.ok(leaves.length > 0);
      assert.ok(leaves.every((l) => l.item!.severity === 'error'), 'errors only');
      assert.equal(leaves.length, hazards().filter(({ d }) => d.severity === vscode.DiagnosticSeverity.Error).length);
    } finally {
      await vscode.commands.executeCommand('railsHazards.hazards.filterSeverity', 'hint');
    }
    assert.equal(tree.minSeverity, 'hint');
  });
});

suite('Fix all safe hazards in file', () => {
  // A model whose table is in the sample app's db/schema.rb (pluck-instead-of-map checks the column).
  const POST = [
    'class Doctor < ApplicationRecord',
    '  belongs_to :clinic',
    '  has_many :appointments',
    '',
    '  def self.active_ids',
    '    where(active: true).map(&:id)',
    '  end',
    '',
    '  def self.clinic_ids',
    '    where(active: false).map(&:clinic_id)',
    '  end',
    'end',
    '',
  ].join('\n');
  const PLUCK = 'queries/pluck-instead-of-map';

  // pluck-instead-of-map is an opt-in style rule: turn it on the way a user would, in the settings.
  suiteSetup(() => vscode.workspace.getConfiguration('railsHazards').update('rules', { [PLUCK]: 'info' }, vscode.ConfigurationTarget.Workspace));
  suiteTeardown(() => vscode.workspace.getConfiguration('railsHazards').update('rules', undefined, vscode.ConfigurationTarget.Workspace));

  test('is in the lightbulb, and the command fixes every safe hazard of the file', async () => {
    const file = wsPath('sample-app', 'app', 'models', 'doctor.rb');
    fs.writeFileSync(file, POST);
    const uri = vscode.Uri.file(file);
    await open(uri);
    const ds = await waitForDiagnostics(uri, (x) => withCode(PLUCK)(x).length === 2, `two ${PLUCK} diagnostics`);
    const lightbulb = await quickFixes(uri, withCode(PLUCK)(ds)[0]);
    assert.ok(lightbulb.some((a) => a.title === 'Fix all safe hazards in this file (2)'), lightbulb.map((a) => a.title).join(' | '));
    assert.equal(await vscode.commands.executeCommand('railsHazards.fixAllInFile', uri), true);
    await until(() => fs.readFileSync(file, 'utf8') === POST.replace('where(active: true).map(&:id)', 'where(active: true).ids')
      .replace('where(active: false).map(&:clinic_id)', 'where(active: false).pluck(:clinic_id)'), 'both fixes saved to disk', 10_000);
    await waitForDiagnostics(uri, (x) => withCode(PLUCK)(x).length === 0, `no ${PLUCK} left`);
  });
});

suite('Settings and docs', () => {
  test('railsHazards.rules offers the rule ids', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const setting = ext.packageJSON.contributes.configuration.properties['railsHazards.rules'];
    assert.ok(setting.propertyNames.enum.includes('migrations/add-index-non-concurrent'));
    assert.ok(setting.propertyNames.enum.length >= 50);
    assert.deepEqual(setting.properties['queries/unbatched-each'].enum, ['off', 'hint', 'info', 'warning', 'error']);
    assert.ok(fs.existsSync(path.join(ext.extensionPath, 'schemas', 'rails-hazards.schema.json')), 'the .rails-hazards.yml schema ships');
  });

  test('"Show documentation" opens the rule page bundled with the extension, in the Markdown preview', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const page = path.join(ext.extensionPath, 'docs', 'rules', 'migrations', 'add-index-non-concurrent.md');
    assert.ok(fs.existsSync(page), `${page} is packaged`);
    await vscode.commands.executeCommand('railsHazards.showDocumentation', 'migrations/add-index-non-concurrent');
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await until(() => previewTabs().some((t) => /add-index-non-concurrent/.test(t.label)), 'a preview of the bundled page', 15_000)
      .catch((e) => { throw new Error(`${e.message}; tabs: ${labels().join(' | ')}`); });
  });
});
