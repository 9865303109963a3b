// The app's plain classes (services, clients) are read on demand when a callback or a loop calls into them. A
// change to one Ruby file re-reads that file only: a keystroke in a model does not re-read every service the
// model's callbacks call, and an edited service is seen at once.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParsers } from '../../../server/src/parsing/treeSitter';
import { Workspace } from '../../../server/src/project/workspace';
import { diskFiles, type FileSource } from '../../../server/src/project/files';
import { allRules } from '../../../server/src/rules';
import { makeApp } from '../../helpers/fixtures';

before(initParsers);

const MODEL = [
  'class Invoice < ApplicationRecord',
  '  after_save :sync',
  '',
  '  def sync',
  '    BillingSync.new(self).push',
  '  end',
  'end',
  '',
].join('\n');
const httpService = (verb: string) => `class BillingSync\n  def initialize(invoice)\n    @invoice = invoice\n  end\n\n  def push\n    ${verb}\n  end\nend\n`;

describe('app classes after a file change', () => {
  test('editing the model re-reads no service; editing the service is seen', () => {
    const app = makeApp({
      'config/application.rb': 'module Shop\n  class Application < Rails::Application\n  end\nend\n',
      'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
      'app/models/invoice.rb': MODEL,
      'app/services/billing_sync.rb': httpService('Net::HTTP.post(URI("https://billing.example.com"), @invoice.to_json)'),
    });
    const reads = new Map<string, number>();
    const files: FileSource = {
      read: (file) => { reads.set(file, (reads.get(file) ?? 0) + 1); return diskFiles.read(file); },
      exists: (file) => diskFiles.exists(file),
    };
    const workspace = new Workspace({ rules: allRules, files });
    const model = path.join(app, 'app/models/invoice.rb');
    const service = path.join(app, 'app/services/billing_sync.rb');
    const callbackFindings = () => workspace.analyzeFile(model).findings.filter((f) => f.ruleId === 'callbacks/external-call-in-callback').map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`);

    assert.deepEqual(callbackFindings(), ['5:5'], 'the HTTP call inside the service is found from the callback');
    const serviceReads = reads.get(service) ?? 0;
    assert.ok(serviceReads > 0);

    fs.writeFileSync(model, MODEL.replace('def sync', 'def sync # edited'));
    workspace.fileChanged(model);
    assert.deepEqual(callbackFindings(), ['5:5']);
    assert.equal(reads.get(service), serviceReads, 'the service was not read again after the model changed');

    fs.writeFileSync(service, httpService('@invoice.touch'));
    workspace.fileChanged(service);
    assert.deepEqual(callbackFindings(), [], 'the edited service no longer calls out');
  });
});
