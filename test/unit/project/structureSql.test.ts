import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readStructureSql, splitStatements } from '../../../server/src/project/structureSql';
import { diskFiles } from '../../../server/src/project/files';
import { AppProject } from '../../../server/src/project/appProject';
import { makeApp } from '../../helpers/fixtures';
import { initParsers } from '../../../server/src/parsing/treeSitter';

before(initParsers);

// A trimmed pg_dump of a small shop: a table with a serial id, a plpgsql trigger function whose body has
// semicolons, a plain, a composite, an expression and a partial unique index, a unique constraint, a
// composite primary key and foreign keys (one NOT VALID).
const PG_DUMP = `--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

--
-- Name: customers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.customers (
    id bigint NOT NULL,
    email character varying(255) NOT NULL,
    nickname character varying,
    credit numeric(10,2) DEFAULT 0.0 NOT NULL,
    tags character varying[] DEFAULT '{}'::character varying[],
    deleted_at timestamp(6) without time zone,
    lock_version integer DEFAULT 0 NOT NULL,
    created_at timestamp(6) without time zone NOT NULL
);

CREATE SEQUENCE public.customers_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;

CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    "number" integer NOT NULL,
    CONSTRAINT positive_number CHECK ((number > 0))
);

CREATE TABLE public.order_tags (
    order_id bigint NOT NULL,
    tag text NOT NULL
);

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);

ALTER TABLE ONLY public.customers ALTER COLUMN id SET DEFAULT nextval('public.customers_id_seq'::regclass);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.order_tags
    ADD CONSTRAINT order_tags_pkey PRIMARY KEY (order_id, tag);

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_number UNIQUE (customer_id, number);

CREATE UNIQUE INDEX index_customers_on_lower_email ON public.customers USING btree (lower((email)::text));

CREATE UNIQUE INDEX index_customers_on_nickname ON public.customers USING btree (nickname) WHERE (deleted_at IS NULL);

CREATE INDEX index_customers_on_created_at ON public.customers USING btree (created_at DESC);

CREATE INDEX index_orders_on_customer_id ON public.orders USING btree (customer_id);

CREATE TRIGGER customers_touch BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT fk_rails_orders_customer FOREIGN KEY (customer_id) REFERENCES public.customers(id);

ALTER TABLE ONLY public.order_tags
    ADD CONSTRAINT fk_rails_order_tags_order FOREIGN KEY (order_id) REFERENCES public.orders(id) NOT VALID;

SET search_path TO "$user", public;

INSERT INTO "schema_migrations" (version) VALUES
('20230105120000'),
('20240611093000'),
('20231130080000');
`;

// The same ideas as a mysqldump, where keys live inside CREATE TABLE.
const MYSQL_DUMP = `/*!40101 SET NAMES utf8 */;
DROP TABLE IF EXISTS \`members\`;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE \`members\` (
  \`id\` bigint(20) NOT NULL AUTO_INCREMENT,
  \`login\` varchar(100) COLLATE utf8mb4_bin NOT NULL,
  \`team_id\` int(11) DEFAULT NULL,
  \`active\` tinyint(1) NOT NULL DEFAULT 1,
  \`bio\` text,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`index_members_on_team_id_and_login\` (\`team_id\`,\`login\`),
  KEY \`index_members_on_login\` (\`login\`(20)),
  CONSTRAINT \`fk_rails_members_team\` FOREIGN KEY (\`team_id\`) REFERENCES \`teams\` (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO \`schema_migrations\` (version) VALUES
('20220101000000');
`;

describe('db/structure.sql reader', () => {
  test('statements are split outside strings, quoted names and dollar-quoted bodies', () => {
    const statements = splitStatements("CREATE FUNCTION f() AS $$ BEGIN x := 1; END; $$;\nSELECT 'a;b';\n-- c; d\nSELECT 2;");
    assert.deepEqual(statements.map((s) => s.trim()), ['CREATE FUNCTION f() AS $$ BEGIN x := 1; END; $$', "SELECT 'a;b'", 'SELECT 2']);
  });

  test('PostgreSQL: tables, columns with Rails types, null and defaults', () => {
    const schema = readStructureSql(PG_DUMP);
    assert.equal(schema.source, 'db/structure.sql');
    assert.equal(schema.version, '20240611093000');
    assert.deepEqual([...schema.tables.keys()], ['customers', 'orders', 'order_tags', 'schema_migrations']);
    const customers = schema.tables.get('customers')!;
    assert.equal(customers.primaryKeyType, 'bigint');
    assert.deepEqual([...customers.columns.values()].map((c) => `${c.name}:${c.type}:${c.null ? 'null' : 'not null'}:${c.hasDefault ? 'default' : '-'}`), [
      'id:bigint:not null:default', 'email:string:not null:-', 'nickname:string:null:-', 'credit:decimal:not null:default',
      'tags:string:null:default', 'deleted_at:datetime:null:-', 'lock_version:integer:not null:default', 'created_at:datetime:not null:-',
    ]);
    assert.equal(customers.columns.get('email')!.limit, 255);
    assert.deepEqual([customers.columns.get('credit')!.precision, customers.columns.get('credit')!.scale], [10, 2]);
    assert.equal(schema.tables.get('order_tags')!.primaryKeyType, 'none');
    assert.deepEqual(schema.tables.get('orders')!.checks, [{ name: 'positive_number', expression: '(number > 0)', validated: true }]);
  });

  test('PostgreSQL: unique, partial and expression indexes, unique constraints and composite primary keys', () => {
    const schema = readStructureSql(PG_DUMP);
    assert.deepEqual(schema.tables.get('customers')!.indexes, [
      { name: 'index_customers_on_lower_email', columns: ['lower((email)::text)'], unique: true, expression: true },
      { name: 'index_customers_on_nickname', columns: ['nickname'], unique: true, where: 'deleted_at IS NULL' },
      { name: 'index_customers_on_created_at', columns: ['created_at'], unique: false },
    ]);
    assert.deepEqual(schema.tables.get('orders')!.indexes, [
      { name: 'orders_customer_number', columns: ['customer_id', 'number'], unique: true },
      { name: 'index_orders_on_customer_id', columns: ['customer_id'], unique: false },
    ]);
    assert.deepEqual(schema.tables.get('order_tags')!.indexes, [{ name: 'order_tags_pkey', columns: ['order_id', 'tag'], unique: true }]);
    assert.deepEqual(schema.foreignKeys, [
      { from: 'orders', to: 'customers', column: 'customer_id', name: 'fk_rails_orders_customer', validated: true },
      { from: 'order_tags', to: 'orders', column: 'order_id', name: 'fk_rails_order_tags_order', validated: false },
    ]);
  });

  test('MySQL: columns, inline unique and plain keys (prefix lengths dropped), foreign keys', () => {
    const schema = readStructureSql(MYSQL_DUMP);
    assert.equal(schema.version, '20220101000000');
    const members = schema.tables.get('members')!;
    assert.deepEqual([...members.columns.values()].map((c) => `${c.name}:${c.type}:${c.null ? 'null' : 'not null'}:${c.hasDefault ? 'default' : '-'}`), [
      'id:bigint:not null:default', 'login:string:not null:-', 'team_id:integer:null:-', 'active:boolean:not null:default', 'bio:text:null:-',
    ]);
    assert.equal(members.columns.get('login')!.limit, 100);
    assert.deepEqual(members.indexes, [
      { name: 'index_members_on_team_id_and_login', columns: ['team_id', 'login'], unique: true },
      { name: 'index_members_on_login', columns: ['login'], unique: false },
    ]);
    assert.deepEqual(schema.foreignKeys, [{ from: 'members', to: 'teams', column: 'team_id', name: 'fk_rails_members_team', validated: true }]);
  });

  test('app facts: structure.sql when there is no schema.rb; other databases by name', () => {
    const root = makeApp({
      'db/structure.sql': PG_DUMP,
      'db/queue_schema.rb': 'ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n  create_table "jobs" do |t|\n    t.string "queue_name", null: false\n  end\nend\n',
      'db/analytics_structure.sql': MYSQL_DUMP,
    });
    const facts = new AppProject(root, diskFiles).getFacts();
    assert.equal(facts.schema?.source, 'db/structure.sql');
    assert.ok(facts.schema?.tables.has('customers'));
    assert.deepEqual([...facts.schemas!.entries()].map(([name, s]) => `${name}:${s.source}:${[...s.tables.keys()].join(',')}`), [
      'primary:db/structure.sql:customers,orders,order_tags,schema_migrations',
      'analytics:db/analytics_structure.sql:members',
      'queue:db/queue_schema.rb:jobs',
    ]);
  });

  test('app facts: db/schema.rb wins over db/structure.sql', () => {
    const root = makeApp({
      'db/structure.sql': PG_DUMP,
      'db/schema.rb': 'ActiveRecord::Schema.define(version: 2024_01_01_000000) do\n  create_table "widgets" do |t|\n    t.index "lower((name)::text)", unique: true\n  end\nend\n',
    });
    const schema = new AppProject(root, diskFiles).getFacts().schema!;
    assert.equal(schema.source, 'db/schema.rb');
    assert.deepEqual([...schema.tables.keys()], ['widgets']);
    assert.equal(schema.tables.get('widgets')!.indexes[0].expression, true);
  });
});
