// Miss causes 4 (loop and call forms) and 5 (model facts lost) of real-app-lessons.md, "Why N+1s and callback
// hazards were missed": one minimal multi-file app per cause, with the near misses that must stay silent.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import associationInLoop from '../../../server/src/rules/queries/association-in-loop';
import queryInLoop from '../../../server/src/rules/queries/query-in-loop';
import pluckInsteadOfMap from '../../../server/src/rules/queries/pluck-instead-of-map';
import unbatchedEach from '../../../server/src/rules/queries/unbatched-each';
import { extractModels, ModelIndex } from '../../../server/src/models/modelIndex';
import { orderedEntries } from '../../../server/src/callbacks/chain';
import '../../../server/src/callbacks/facts';
import { parseRuby } from '../../../server/src/parsing/treeSitter';
import longCallbackChain from '../../../server/src/rules/callbacks/long-callback-chain';
import { defaultConfig } from '../../../server/src/config/config';
import { modelApp } from '../../helpers/callbackApp';
import { APP_ROOT, at, initParsers, run } from '../../helpers/ruleTester';
import { applyFixToApp, check, queryApp, type Files } from '../../helpers/queryApp';

before(initParsers);

// A parcel service: shipments go out with a courier from a depot and are scanned on the way.
const DEPOT: Files = {
  'app/models/application_record.rb': 'class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n',
  // The reopening comes first, as order/ sorts before order.rb in a directory listing.
  'app/models/shipment/routing.rb': 'class Shipment\n  belongs_to :depot\n  has_many :scans\n  after_save :recompute_route\nend\n',
  'app/models/shipment.rb': 'class Shipment < ApplicationRecord\n  belongs_to :courier\n  has_many :parcels\n  after_save :notify_customer\nend\n',
  'app/models/courier.rb': 'class Courier < ApplicationRecord\n  belongs_to :depot\n  has_many :shipments\nend\n',
  'app/models/depot.rb': 'class Depot < ApplicationRecord\n  has_many :couriers\nend\n',
  'app/models/parcel.rb': 'class Parcel < ApplicationRecord\n  belongs_to :shipment\nend\n',
  'app/models/scan.rb': 'class Scan < ApplicationRecord\n  belongs_to :shipment\nend\n',
  'app/models/person.rb': 'class Person < ApplicationRecord\nend\n',
};

const JOB = 'app/jobs/manifest_job.rb';
const job = (...body: string[]): string => `class ManifestJob < ApplicationJob\n  def perform\n${body.map((l) => `    ${l}`).join('\n')}\n  end\nend\n`;
const findings = (files: Files, file = JOB) => check(associationInLoop, { ...DEPOT, ...files }, file);
const where = (list: ReturnType<typeof findings>) => list.map((f) => ({ ...at(f), severity: f.severity }));

function indexOf(files: Files): ModelIndex {
  const idx = new ModelIndex();
  for (const [rel, code] of Object.entries(files)) {
    const tree = parseRuby(code);
    idx.update(path.join(APP_ROOT, rel), extractModels(tree, path.join(APP_ROOT, rel)));
    tree.delete();
  }
  return idx;
}

describe('cause 5: model facts from every file of a class', () => {
  test('a class reopened in a second file keeps the associations of both files', () => {
    const code = job('Shipment.where(state: "open").each do |shipment|', '  puts shipment.courier.name', '  puts shipment.depot.name', 'end');
    assert.deepEqual(where(findings({ [JOB]: code })), [
      { rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 5, column: 12, severity: 'warning' },
    ]);
  });

  test('re-extracting one file replaces only that file\'s part', () => {
    const idx = indexOf(DEPOT);
    assert.equal(idx.association('Shipment', 'courier')?.className, 'Courier');
    assert.equal(idx.association('Shipment', 'depot')?.className, 'Depot');
    const routing = path.join(APP_ROOT, 'app/models/shipment/routing.rb');
    const tree = parseRuby('class Shipment\n  has_many :scans\nend\n');
    idx.update(routing, extractModels(tree, routing));
    tree.delete();
    assert.equal(idx.association('Shipment', 'depot'), undefined, 'removed from the edited file');
    assert.equal(idx.association('Shipment', 'courier')?.className, 'Courier', 'the other file is untouched');
    assert.ok(idx.isModel(idx.model('Shipment')!));
  });

  test('the callbacks of every file of a class are in its chain', () => {
    const idx = indexOf(DEPOT);
    const names = orderedEntries(idx, idx.model('Shipment')!).filter((e) => e.decl).map((e) => e.decl!.target.type === 'method' ? e.decl!.target.name : '?');
    assert.deepEqual(names, ['notify_customer', 'recompute_route']);
  });

  test('a long callback chain counts both files and is reported once, on the main definition', () => {
    const config = defaultConfig();
    config.sections.callbacks = { maxChainLength: 1 };
    const app = modelApp(DEPOT, { config });
    const reported = ['app/models/shipment.rb', 'app/models/shipment/routing.rb']
      .flatMap((file) => run(longCallbackChain, DEPOT[file], { file, kind: 'model', app }));
    assert.deepEqual(reported.map(at), [{ rule: 'callbacks/long-callback-chain', line: 1, column: 7 }]);
    assert.equal(reported[0].file, path.join(APP_ROOT, 'app/models/shipment.rb'));
    assert.match(reported[0].message, /^Shipment runs 2 callbacks inside the transaction when it is created \(2 own\)/);
  });

  test('class_eval and prepend decorators in lib/ add associations to the class they reopen', () => {
    const files: Files = {
      'lib/depot_ext/shipment_insurance.rb': 'Shipment.class_eval do\n  belongs_to :insurer, class_name: "Person"\nend\n',
      'lib/depot_ext/shipment_labels.rb': [
        'module DepotExt',
        '  module ShipmentLabels',
        '    def self.prepended(base)',
        '      base.belongs_to :labeller, class_name: "Person"',
        '    end',
        '  end',
        'end',
        'Shipment.prepend(DepotExt::ShipmentLabels)',
        '',
      ].join('\n'),
      'app/decorators/shipment_customs_decorator.rb': [
        'module ShipmentCustomsDecorator',
        '  def self.prepended(base)',
        '    base.class_eval do',
        '      belongs_to :customs_agent, class_name: "Person"',
        '    end',
        '  end',
        '  ::Shipment.prepend self',
        'end',
        '',
      ].join('\n'),
      [JOB]: job('Shipment.all.each do |shipment|', '  puts shipment.insurer.name', '  puts shipment.labeller.name', '  puts shipment.customs_agent.name', 'end'),
    };
    const found = findings(files);
    assert.deepEqual(where(found), [
      { rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 5, column: 12, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 6, column: 12, severity: 'warning' },
    ]);
    assert.match(found[0].message, /`Shipment\.all\.includes\(:insurer\)`/);
  });

  test('associations inside with_options are declared, with the block\'s options merged under their own', () => {
    const files: Files = {
      'app/models/courier.rb': [
        'class Courier < ApplicationRecord',
        '  with_options dependent: :destroy do',
        '    has_many :shipments',
        '  end',
        '  with_options class_name: "Person", optional: true do |o|',
        '    o.belongs_to :dispatcher',
        '    o.belongs_to :depot, class_name: "Depot"',
        '  end',
        'end',
        '',
      ].join('\n'),
      [JOB]: job('Courier.all.each do |courier|', '  puts courier.shipments.size', '  puts courier.dispatcher.name', 'end'),
    };
    assert.deepEqual(where(findings(files)), [
      { rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 5, column: 12, severity: 'warning' },
    ]);
    const idx = indexOf({ ...DEPOT, ...files });
    assert.equal(idx.association('Courier', 'shipments')?.dependent, 'destroy');
    // Near miss: the block's class_name: is kept, and an association's own option wins over the block's.
    assert.equal(idx.association('Courier', 'dispatcher')?.className, 'Person');
    assert.equal(idx.association('Courier', 'depot')?.className, 'Depot');
  });
});

describe('cause 4: loop and call forms', () => {
  test('for … in over a relation is a loop whose variable is the row; over a literal list it is silent', () => {
    const code = job('for shipment in Shipment.where(state: "open")', '  puts shipment.courier.name', 'end', 'for code in %w[north south]', '  puts Depot.find_by(code: code)&.name', 'end');
    assert.deepEqual(where(findings({ [JOB]: code })), [{ rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' }]);
    assert.deepEqual(check(queryInLoop, { ...DEPOT, [JOB]: code }, JOB), [], 'a for over a literal list is not per-row work');
    const overRows = job('for courier in Courier.all', '  puts Depot.find_by(id: courier.depot_id)&.name', 'end');
    assert.deepEqual(check(queryInLoop, { ...DEPOT, [JOB]: overRows }, JOB).map(at), [{ rule: 'queries/query-in-loop', line: 4, column: 12 }]);
  });

  test('map(&:assoc) / collect / group_by read the association per row; map(&:id) does not', () => {
    const code = job(
      'couriers = Courier.where(active: true)',
      'puts couriers.collect(&:depot).uniq.size',
      'puts couriers.map(&:id).size',
      'puts Shipment.where(state: "open").group_by(&:courier).size',
    );
    const found = findings({ [JOB]: code });
    assert.deepEqual(where(found), [
      { rule: 'queries/association-in-loop', line: 4, column: 27, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 6, column: 49, severity: 'warning' },
    ]);
    const fixed = applyFixToApp({ ...DEPOT, [JOB]: code }, found[0].fixes[0]);
    assert.match(fixed[JOB], /couriers = Courier\.where\(active: true\)\.includes\(:depot\)/);
    // Style rule boundary: an association is not a column to pluck.
    const pluck = check(pluckInsteadOfMap, { ...DEPOT, [JOB]: job('puts Courier.where(active: true).map(&:depot).size') }, JOB);
    assert.deepEqual(pluck, []);
  });

  test('try(:assoc) and &.assoc read the association; try on a column does not', () => {
    const code = job('Shipment.all.each do |shipment|', '  puts shipment.try(:courier)', '  puts shipment&.parcels&.size', '  puts shipment.try(:tracking_code)', 'end');
    assert.deepEqual(where(findings({ [JOB]: code })), [
      { rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' },
      { rule: 'queries/association-in-loop', line: 5, column: 12, severity: 'warning' },
    ]);
  });

  test('an alias of an association reader is the association; the fix preloads the real name', () => {
    const files: Files = {
      'app/models/courier.rb': 'class Courier < ApplicationRecord\n  belongs_to :depot\n  alias :hub :depot\n  alias_method :base_depot, :depot\nend\n',
      [JOB]: job('Courier.all.each do |courier|', '  puts courier.hub.name', 'end'),
    };
    const found = findings(files);
    assert.deepEqual(where(found), [{ rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' }]);
    assert.match(found[0].message, /nothing preloads `depot`/);
    const fixed = applyFixToApp({ ...DEPOT, ...files }, found[0].fixes[0]);
    assert.match(fixed[JOB], /Courier\.all\.includes\(:depot\)\.each/);
    assert.deepEqual(check(associationInLoop, fixed, JOB), []);
  });

  test('a method delegated to an association reads it', () => {
    const files: Files = {
      'app/models/courier.rb': 'class Courier < ApplicationRecord\n  belongs_to :depot\n  delegate :city, to: :depot, prefix: true\n  delegate :phone, to: :dispatcher_profile\nend\n',
      [JOB]: job('Courier.all.each do |courier|', '  puts courier.depot_city', '  puts courier.phone', 'end'),
    };
    const found = findings(files);
    assert.deepEqual(where(found), [{ rule: 'queries/association-in-loop', line: 4, column: 12, severity: 'warning' }]);
    assert.match(found[0].message, /nothing preloads `depot` \(`depot_city` is delegated to it\)/);
  });

  test('(Model.all - record.assoc).each loops over records of the model', () => {
    const code = job('depot = Depot.find(1)', '(Courier.all - depot.couriers).each do |courier|', '  puts courier.depot.name', 'end');
    assert.deepEqual(where(findings({ [JOB]: code })), [{ rule: 'queries/association-in-loop', line: 5, column: 12, severity: 'warning' }]);
    const unknown = job('depot = Depot.find(1)', '(couriers_from_api - depot.couriers).each do |courier|', '  puts courier.depot.name', 'end');
    assert.deepEqual(findings({ [JOB]: unknown }), [], 'an unknown left side stays silent');
  });
});

void queryApp;

// A file outside app/models may define a model the app index does not have (a script, a model in lib/):
// the query analysis adds it for that file. Only classes whose superclass is a model are added; a
// plain class that happens to answer `all` is not a table.
describe("a file's own models", () => {
  const unbatched = (files: Files, file: string) => check(unbatchedEach, { ...DEPOT, ...files }, file).map((f) => ({ ...at(f), severity: f.severity }));

  test('a model declared in a lib/ script is known in that script', () => {
    const script = 'lib/tasks/archive.rb';
    const code = [
      'class ArchivedShipment < ApplicationRecord',
      '  belongs_to :courier',
      'end',
      '',
      'ArchivedShipment.all.each do |shipment|',
      '  puts shipment.courier.name',
      'end',
      '',
    ].join('\n');
    assert.deepEqual(findings({ [script]: code }, script).map(at), [{ rule: 'queries/association-in-loop', line: 6, column: 8 }]);
  });

  test('a plain class with its own `all` is not a table to batch', () => {
    const service = 'app/services/route_planner.rb';
    const code = [
      'class RoutePlanner',
      '  def self.all',
      '    [new, new]',
      '  end',
      '',
      '  def self.replan',
      '    RoutePlanner.all.each { |planner| planner.plan }',
      '  end',
      'end',
      '',
    ].join('\n');
    assert.deepEqual(unbatched({ [service]: code }, service), []);
  });
});
