// Generates a synthetic Rails app for the benchmark: models with associations and callbacks,
// migrations of every kind, controllers, jobs, ERB views, lib code, a schema and a 500-gem lockfile.
// Deterministic for a given size (a seeded generator), so runs are comparable.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SynthOptions {
  /** Approximate number of analysable files. */
  files: number;
  seed?: number;
}

export interface SynthApp {
  root: string;
  files: number;
  bytes: number;
  /** A model of exactly `bigModelLines` lines, for the incremental benchmark. */
  bigModel: string;
  bigModelLines: number;
  /** A migration with a finding, for the first-diagnostics benchmark. */
  migration: string;
}

/** Mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['patient', 'doctor', 'appointment', 'invoice', 'clinic', 'prescription', 'payment', 'report', 'note', 'visit',
  'insurer', 'claim', 'referral', 'lab_result', 'allergy', 'vaccine', 'room', 'shift', 'nurse', 'ward', 'device', 'reading',
  'message', 'attachment', 'reminder', 'survey', 'answer', 'question', 'coupon', 'order', 'shipment', 'supplier', 'product'];

const camel = (s: string) => s.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const plural = (s: string) => (s.endsWith('y') ? s.slice(0, -1) + 'ies' : s.endsWith('s') ? s + 'es' : s + 's');

export function generateApp(root: string, options: SynthOptions): SynthApp {
  const rand = rng(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  let files = 0;
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    files++;
    bytes += Buffer.byteLength(text);
  };
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });

  // A unit is one resource: model, controller, 3 views, 2 migrations, a job and a lib file (9 files).
  const units = Math.max(3, Math.round(options.files / 9));
  const names: string[] = [];
  for (let i = 0; i < units; i++) names.push(i < NOUNS.length ? NOUNS[i] : `${pick(NOUNS)}_${i}`);

  write('Gemfile', `source "https://rubygems.org"\n\ngem "rails", "~> 7.2.0"\ngem "pg"\ngem "sidekiq"\ngem "strong_migrations"\n`
    + Array.from({ length: 40 }, (_, i) => `gem "gem_${100 + i}"${i % 3 ? `, "~> ${1 + (i % 4)}.${i % 7}"` : ''}\n`).join(''));
  write('Gemfile.lock', lockfile(rand));
  write('config/database.yml', 'default: &default\n  adapter: postgresql\n  encoding: unicode\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n\ndevelopment:\n  <<: *default\n  database: synth_development\n\nproduction:\n  <<: *default\n  database: synth_production\n');
  write('config/application.rb', 'require_relative "boot"\nrequire "rails/all"\n\nmodule Synth\n  class Application < Rails::Application\n    config.load_defaults 7.2\n  end\nend\n');
  write('config/initializers/strong_migrations.rb', 'StrongMigrations.start_after = 20200101000000\nStrongMigrations.target_version = 16\n');
  // db/schema.rb below is dated after every migration, so they would all count as deployed: the audit mode
  // keeps every migration checked, as the bench and the scale tests expect.
  write('.rails-hazards.yml', 'migrations:\n  audit: true\n');

  let schema = 'ActiveRecord::Schema[7.2].define(version: 2025_01_01_000000) do\n  enable_extension "plpgsql"\n\n';
  let version = 20240101000000;
  let migration = '';
  for (let u = 0; u < units; u++) {
    const n = names[u];
    const table = plural(n);
    const other = names[(u + 1) % units];
    const third = names[(u + 7) % units];
    schema += `  create_table "${table}", force: :cascade do |t|\n    t.string "name", null: false\n    t.bigint "${other}_id"\n    t.integer "status", default: 0\n    t.text "body"\n    t.datetime "created_at", null: false\n    t.datetime "updated_at", null: false\n    t.index ["${other}_id"], name: "index_${table}_on_${other}_id"\n  end\n\n`;

    write(`app/models/${n}.rb`, model(n, other, third, rand));
    write(`app/controllers/${table}_controller.rb`, controller(n, other, rand));
    write(`app/views/${table}/index.html.erb`, indexView(n, other));
    write(`app/views/${table}/show.html.erb`, showView(n, other, third));
    write(`app/views/${table}/_form.html.erb`, formView(n));
    write(`app/jobs/${n}_sync_job.rb`, job(n, other));
    write(`lib/${n}/importer.rb`, lib(n, rand));
    for (let m = 0; m < 2; m++) {
      version += 1 + Math.floor(rand() * 5000);
      const kind = (u * 2 + m) % MIGRATIONS.length;
      const body = MIGRATIONS[kind](table, other, rand);
      const rel = `db/migrate/${version}_${body.name}_${u}_${m}.rb`;
      write(rel, `class ${camel(body.name)}${u}${m} < ActiveRecord::Migration[7.2]\n${body.code}end\n`);
      if (kind === 0 && !migration) migration = path.join(root, rel);
    }
  }
  write('db/schema.rb', schema + 'end\n');

  const bigModelLines = 2000;
  const bigModel = path.join(root, 'app/models/big_record.rb');
  write('app/models/big_record.rb', bigModelText(bigModelLines, names));
  return { root, files, bytes, bigModel, bigModelLines, migration };
}

function model(n: string, other: string, third: string, rand: () => number): string {
  const cls = camel(n);
  const lines = [`class ${cls} < ApplicationRecord`,
    `  belongs_to :${other}, optional: true`,
    `  has_many :${plural(third)}, dependent: :destroy`,
    `  has_many :notes, as: :notable`,
    `  has_one :latest_${third}, -> { order(created_at: :desc) }, class_name: "${camel(third)}"`,
    '',
    '  validates :name, presence: true, length: { maximum: 255 }',
    `  scope :active, -> { where(status: :active) }`,
    `  scope :recent, -> { where("created_at > ?", 30.days.ago) }`,
    '',
    '  before_validation :normalize_name',
    '  after_save :notify_partner',
    '  after_commit :enqueue_sync, on: :create',
    '  after_create_commit :broadcast_later',
    ''];
  const methods = 3 + Math.floor(rand() * 12);
  for (let i = 0; i < methods; i++) {
    lines.push(`  def summary_${i}`,
      `    ${plural(third)}.each do |item|`,
      `      total = item.${other}.name.to_s.length + ${i}`,
      `      Rails.logger.info("#{item.id}: #{total}")`,
      '    end',
      '  end', '');
  }
  lines.push('  private', '',
    '  def normalize_name', '    self.name = name.to_s.strip.squeeze(" ")', '  end', '',
    '  def notify_partner', `    Net::HTTP.post(URI("https://partner.example/${plural(n)}"), to_json) if saved_change_to_status?`, '  end', '',
    '  def enqueue_sync', `    ${cls}SyncJob.perform_later(id)`, '  end', '',
    '  def broadcast_later', `    ${cls}Mailer.with(record: self).created.deliver_later`, '  end', 'end', '');
  return lines.join('\n');
}

function controller(n: string, other: string, rand: () => number): string {
  const cls = camel(n);
  const t = plural(n);
  const extra = Array.from({ length: Math.floor(rand() * 6) }, (_, i) =>
    `  def report_${i}\n    @rows = ${cls}.where(status: ${i}).map { |r| [r.name, r.${other}&.name] }\n    render :index\n  end\n`).join('\n');
  return `class ${camel(t)}Controller < ApplicationController
  before_action :set_${n}, only: %i[show edit update destroy]

  def index
    @${t} = ${cls}.active.order(:name)
    @${t}.each { |r| r.${other}.touch }
  end

  def show; end

  def create
    @${n} = ${cls}.new(${n}_params)
    if @${n}.save
      redirect_to @${n}, notice: "Created."
    else
      render :new, status: :unprocessable_entity
    end
  end

  def update
    if @${n}.update(${n}_params)
      redirect_to @${n}
    else
      render :edit, status: :unprocessable_entity
    end
  end

  def destroy
    @${n}.destroy!
    redirect_to ${t}_path
  end

${extra}
  private

  def set_${n}
    @${n} = ${cls}.find(params[:id])
  end

  def ${n}_params
    params.require(:${n}).permit(:name, :status, :body, :${other}_id)
  end
end
`;
}

function indexView(n: string, other: string): string {
  const t = plural(n);
  return `<h1>${camel(t)}</h1>
<table>
  <% @${t}.each do |${n}| %>
    <tr>
      <td><%= link_to ${n}.name, ${n} %></td>
      <td><%= ${n}.${other}.name %></td>
      <td><%= ${n}.notes.count %></td>
    </tr>
  <% end %>
</table>
<%= link_to "New", new_${n}_path %>
`;
}

function showView(n: string, other: string, third: string): string {
  return `<h2><%= @${n}.name %></h2>
<p><%= simple_format(@${n}.body) %></p>
<% if @${n}.${other} %>
  <p>Partner: <%= @${n}.${other}.name %></p>
<% end %>
<ul>
  <% @${n}.${plural(third)}.includes(:notes).each do |item| %>
    <li><%= item.name %> (<%= item.notes.size %>)</li>
  <% end %>
</ul>
<%= render "form", ${n}: @${n} %>
`;
}

function formView(n: string): string {
  return `<%= form_with model: ${n} do |f| %>
  <%= f.label :name %>
  <%= f.text_field :name %>
  <%= f.select :status, [["Active", 0], ["Archived", 1]] %>
  <%= f.text_area :body, rows: 4 %>
  <%= f.submit %>
<% end %>
`;
}

function job(n: string, other: string): string {
  return `class ${camel(n)}SyncJob < ApplicationJob
  queue_as :default

  def perform(id)
    record = ${camel(n)}.find_by(id: id)
    return unless record

    ${camel(n)}.where(${other}_id: record.${other}_id).each do |sibling|
      sibling.update_columns(synced_at: Time.current)
    end
  end
end
`;
}

function lib(n: string, rand: () => number): string {
  const steps = 2 + Math.floor(rand() * 20);
  const body = Array.from({ length: steps }, (_, i) =>
    `    def step_${i}(rows)\n      rows.each_slice(100).map do |slice|\n        slice.sum { |row| row.fetch(:value, ${i}) }\n      end\n    end\n`).join('\n');
  return `module ${camel(n)}\n  class Importer\n    BATCH = 1_000\n\n    def initialize(io)\n      @io = io\n    end\n\n${body}  end\nend\n`;
}

interface MigrationBody { name: string; code: string }
const MIGRATIONS: ((table: string, other: string, rand: () => number) => MigrationBody)[] = [
  (t, o) => ({ name: `add_index_to_${t}`, code: `  def change\n    add_index :${t}, :${o}_id\n  end\n` }),
  (t) => ({ name: `add_index_concurrently_to_${t}`, code: `  disable_ddl_transaction!\n\n  def change\n    add_index :${t}, :status, algorithm: :concurrently\n  end\n` }),
  (t) => ({ name: `create_${t}_archive`, code: `  def change\n    create_table :${t}_archives do |t|\n      t.references :owner, null: false, foreign_key: true\n      t.string :label\n      t.timestamps\n    end\n    add_index :${t}_archives, :label\n  end\n` }),
  (t) => ({ name: `add_flag_to_${t}`, code: `  def change\n    add_column :${t}, :flagged, :boolean, default: false, null: false\n  end\n` }),
  (t) => ({ name: `remove_legacy_from_${t}`, code: `  def change\n    remove_column :${t}, :legacy_code, :string\n  end\n` }),
  (t) => ({ name: `rename_body_in_${t}`, code: `  def change\n    rename_column :${t}, :body, :content\n  end\n` }),
  (t) => ({ name: `change_status_in_${t}`, code: `  def up\n    change_column :${t}, :status, :bigint\n  end\n\n  def down\n    change_column :${t}, :status, :integer\n  end\n` }),
  (t, o) => ({ name: `add_fk_to_${t}`, code: `  def change\n    add_foreign_key :${t}, :${plural(o)}\n  end\n` }),
  (t) => ({ name: `require_name_in_${t}`, code: `  def change\n    change_column_null :${t}, :name, false\n  end\n` }),
  (t) => ({ name: `backfill_${t}`, code: `  def up\n    ${camel(t.replace(/s$/, ''))}.where(status: nil).update_all(status: 0)\n    execute "UPDATE ${t} SET body = '' WHERE body IS NULL"\n  end\n\n  def down; end\n` }),
  (t, o) => ({ name: `add_reference_to_${t}`, code: `  def change\n    add_reference :${t}, :${o}_owner, index: true\n  end\n` }),
  (t) => ({ name: `change_table_${t}`, code: `  def change\n    change_table :${t}, bulk: true do |t|\n      t.string :slug\n      t.index :slug, unique: true\n    end\n  end\n` }),
  (t) => ({ name: `add_check_to_${t}`, code: `  def change\n    add_check_constraint :${t}, "status >= 0", name: "${t}_status_positive", validate: false\n  end\n` }),
  (t) => ({ name: `drop_old_${t}`, code: `  def change\n    drop_table :old_${t}, if_exists: true\n  end\n` }),
];

function bigModelText(lines: number, names: string[]): string {
  const head = ['class BigRecord < ApplicationRecord', '  belongs_to :patient', '  has_many :notes', '  after_save :touch_parent', ''];
  const tail = ['  private', '', '  def touch_parent', '    patient.touch', '  end', 'end'];
  const out = [...head];
  let i = 0;
  while (out.length + tail.length + 7 <= lines) {
    const other = names[i % names.length];
    out.push(`  # Computes metric ${i} from the associated ${other} rows.`, `  def metric_${i}`,
      `    notes.each do |note|`, `      note.${other}&.name.to_s.length + ${i}`, '    end', '  end', '');
    i++;
  }
  while (out.length + tail.length < lines) out.push(`  # padding ${out.length}`);
  return [...out, ...tail].join('\n') + '\n';
}

/** A Gemfile.lock with about 500 gems, dependency edges with and without upper bounds, and a GIT section. */
function lockfile(rand: () => number): string {
  const gems: { name: string; version: string; deps: string[] }[] = [];
  const core = [['rails', '7.2.2'], ['activerecord', '7.2.2'], ['activesupport', '7.2.2'], ['connection_pool', '2.4.1'],
    ['rack', '3.1.8'], ['sidekiq', '7.3.9'], ['pg', '1.5.9'], ['strong_migrations', '2.1.0']];
  for (const [name, version] of core) gems.push({ name, version, deps: [] });
  gems.find((g) => g.name === 'activesupport')!.deps.push('connection_pool (>= 2.2.5)');
  gems.find((g) => g.name === 'sidekiq')!.deps.push('connection_pool (>= 2.3.0)', 'rack (>= 2.2.4)');
  gems.find((g) => g.name === 'rails')!.deps.push('activerecord (= 7.2.2)', 'activesupport (= 7.2.2)');
  for (let i = gems.length; i < 500; i++) {
    const version = `${Math.floor(rand() * 5)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`;
    const deps: string[] = [];
    const n = Math.floor(rand() * 4);
    for (let d = 0; d < n && i > 8; d++) {
      const target = gems[Math.floor(rand() * (gems.length - 1))];
      const r = rand();
      deps.push(r < 0.4 ? `${target.name} (>= ${target.version.split('.')[0]}.0)` : r < 0.8 ? `${target.name} (~> ${target.version.split('.').slice(0, 2).join('.')})` : target.name);
    }
    gems.push({ name: `gem_${i}`, version, deps: [...new Set(deps)] });
  }
  const sorted = [...gems].sort((a, b) => a.name.localeCompare(b.name));
  let out = 'GIT\n  remote: https://github.com/example/forked_gem.git\n  revision: 0123456789abcdef0123456789abcdef01234567\n  branch: main\n  specs:\n    forked_gem (0.9.0)\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n';
  for (const g of sorted) {
    out += `    ${g.name} (${g.version})\n`;
    for (const d of [...g.deps].sort()) out += `      ${d}\n`;
  }
  out += '\nPLATFORMS\n  ruby\n  x86_64-linux\n\nDEPENDENCIES\n  forked_gem!\n  pg\n  rails (~> 7.2.0)\n  sidekiq\n  strong_migrations\n';
  for (let i = 0; i < 40; i++) out += `  gem_${100 + i}${i % 3 ? ` (~> ${1 + (i % 4)}.${i % 7})` : ''}\n`;
  out += '\nRUBY VERSION\n   ruby 3.3.6p108\n\nBUNDLED WITH\n   2.5.22\n';
  return out;
}
