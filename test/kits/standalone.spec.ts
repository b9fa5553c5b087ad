import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The modules a fresh Node process holds after requiring `entry` (a TypeScript source, compiled on
 * load with the repository's path aliases): what "copy this kit" would carry with it. Jest's own
 * module registry is not Node's, so the require happens in a child process.
 */
function modulesLoadedBy(entry: string): string[] {
  const script = `
    const fs = require('node:fs');
    const ts = require('typescript');
    require.extensions['.ts'] = (module, filename) => {
      const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true },
      });
      module._compile(out.outputText, filename);
    };
    require('tsconfig-paths').register({ baseUrl: process.cwd(), paths: require('./tsconfig.json').compilerOptions.paths });
    require(process.argv[1]);
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));
  `;
  const out = execFileSync(process.execPath, ['-e', script, join(root, entry)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test' },
  });
  return JSON.parse(out) as string[];
}

const heavy = (loaded: string[]) =>
  ['@nestjs/core', '@nestjs/common', '@nestjs/microservices', 'typeorm'].filter((pkg) =>
    loaded.some((file) => file.includes(`/node_modules/${pkg}/`)),
  );

describe('the adapter and connector kits stand alone', () => {
  it.each(['libs/adapter-kit/src/index.ts', 'libs/connector-kit/src/index.ts'])('%s loads neither Nest nor TypeORM', (entry) => {
    const loaded = modulesLoadedBy(entry);
    // The kit itself was loaded, so an empty answer cannot pass for a clean one.
    expect(loaded.some((file) => file.endsWith(entry))).toBe(true);
    expect(loaded.some((file) => file.includes('/node_modules/kafkajs/'))).toBe(true);
    expect(heavy(loaded)).toEqual([]);
  });

  it('every adapter and connector main imports its kit, not the Nest-based libs', () => {
    const mains = ['adapters', 'connectors'].flatMap((group) =>
      readdirSync(join(root, 'apps', group))
        .map((name) => join('apps', group, name, 'src', 'main.ts'))
        .filter((file) => existsSync(join(root, file))),
    );
    expect(mains.length).toBeGreaterThanOrEqual(11);
    for (const file of mains) {
      const specifiers = [...readFileSync(join(root, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect({ file, nestBased: specifiers.filter((s) => s === '@mash/platform' || s === '@mash/messaging') }).toEqual({
        file,
        nestBased: [],
      });
    }
  });
});
