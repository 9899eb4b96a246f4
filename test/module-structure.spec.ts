import { join } from 'node:path';

import { moduleCycles, moduleImports, mutualImports } from '../scripts/module-cycles';

const SRC = join(__dirname, '..', 'src');

describe('top-level modules of src/', () => {
  const edges = moduleImports(SRC);

  it('never import each other', () => {
    expect(mutualImports(edges)).toEqual([]);
  });

  it('form no loop', () => {
    expect(moduleCycles(edges)).toEqual([]);
  });

  it('are seen importing each other when they do, so the checks above can fail', () => {
    const loop = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
    ]);
    expect(moduleCycles(loop)).toEqual([['a', 'b', 'c']]);
    expect(
      mutualImports(
        new Map([
          ['a', new Map([['b', 'a/x.ts']])],
          ['b', new Map([['a', 'b/y.ts']])],
        ]),
      ),
    ).toEqual([{ modules: ['a', 'b'], files: ['a/x.ts', 'b/y.ts'] }]);
  });
});
