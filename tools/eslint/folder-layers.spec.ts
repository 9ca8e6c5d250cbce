import { RuleTester } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import folderLayers from './folder-layers.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = join(__dirname, 'fixture-src');
const file = (path: string) => join(root, path);
const options = [{ root, layers: ['shared', 'sagas', 'normalisation', 'scheduled'] }];

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
});

tester.run('folder-layers', folderLayers.rules['folder-layers'], {
  valid: [
    {
      name: 'a higher folder imports a lower one',
      filename: file('scheduled/apply.ts'),
      options,
      code: "import { StartSaga } from '../sagas/start-saga';",
    },
    {
      name: 'a type import down the layers',
      filename: file('normalisation/build.ts'),
      options,
      code: "import type { X } from '../shared/x';",
    },
    {
      name: 'within one folder',
      filename: file('sagas/saga-engine.ts'),
      options,
      code: "import { RampStepSchedule } from './ramp-step-schedule';",
    },
    {
      name: 'a nested file of a folder, down',
      filename: file('sagas/contract-asset/planner.ts'),
      options,
      code: "import { period } from '../../shared/period';",
    },
    {
      name: 'packages are not folders',
      filename: file('shared/period.ts'),
      options,
      code: "import { Injectable } from '@nestjs/common';",
    },
    {
      name: 'the composition root imports every folder',
      filename: file('app.module.ts'),
      options,
      code: "import { ScheduledModule } from './scheduled/scheduled.module';",
    },
    {
      name: 'a file outside the root is not checked',
      filename: join(__dirname, 'other/a.ts'),
      options,
      code: "import { x } from '../fixture-src/scheduled/x';",
    },
  ],
  invalid: [
    {
      name: 'sagas importing scheduled, which imports sagas: a loop',
      filename: file('sagas/saga-engine.ts'),
      options,
      code: "import { RampStepSchedule } from '../scheduled/ramp-step-schedule';",
      errors: [
        {
          messageId: 'upward',
          data: { from: 'sagas', to: 'scheduled', source: '../scheduled/ramp-step-schedule' },
        },
      ],
    },
    {
      name: 'a type-only import up the layers counts too',
      filename: file('shared/line-amounts.ts'),
      options,
      code: "import type { MappedOrder } from '../normalisation/mapped-order';",
      errors: [{ messageId: 'upward' }],
    },
    {
      name: 'a re-export and a dynamic import up the layers',
      filename: file('sagas/contract-asset/planner.ts'),
      options,
      code: "export { x } from '../../normalisation/x';\nexport async function load() { return import('../../scheduled/y'); }",
      errors: [{ messageId: 'upward' }, { messageId: 'upward' }],
    },
    {
      name: 'a require() up the layers',
      filename: file('shared/a.ts'),
      options,
      code: "const b = require('../sagas/b');",
      errors: [{ messageId: 'upward' }],
    },
    {
      name: 'a folder that is not in the list',
      filename: file('sagas/saga-engine.ts'),
      options,
      code: "import { x } from '../billing/x';",
      errors: [{ messageId: 'unlisted', data: { folder: 'billing', root: 'tools/eslint/fixture-src' } }],
    },
  ],
});
