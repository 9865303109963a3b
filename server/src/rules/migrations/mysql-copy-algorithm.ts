import { defineRule } from '../../core/rule';
import { mysqlOptionFindings } from './mysql-lock-option';

export default defineRule({
  meta: {
    id: 'migrations/mysql-copy-algorithm',
    description: 'algorithm: :copy makes MySQL/MariaDB rebuild the whole table while writes wait.',
    defaultSeverity: 'error',
    fix: 'unsafe',
    fileKinds: ['migration'],
  },
  create(ctx) {
    return {
      end() {
        mysqlOptionFindings(ctx, 'algorithm', ['copy'], ['mysql_copy_algorithm', 'add_index']);
      },
    };
  },
});
