import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The imports between top-level modules of src/ (a folder, or a file at the root), and the
 * modules that import each other directly or round a longer loop. Spec files are left out: a test
 * may reach across modules. Imports of types only count: they couple the modules as well.
 */

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      return sourceFiles(path);
    }
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const moduleOf = (src: string, file: string) => relative(src, file).split(/[\\/]/)[0].replace(/\.ts$/, '');

/** module -> modules it imports -> one file that does, as an example. */
export function moduleImports(src: string): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(src)) {
    const from = moduleOf(src, file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? match[2]);
      if (relative(src, target).startsWith('..')) {
        continue;
      }
      const to = moduleOf(src, target);
      if (to !== from) {
        const out = edges.get(from) ?? new Map<string, string>();
        if (!out.has(to)) {
          out.set(to, relative(src, file));
        }
        edges.set(from, out);
      }
    }
  }
  return edges;
}

/** The groups of two or more modules that reach each other (strongly connected components), each sorted. */
export function moduleCycles(edges: Map<string, Map<string, string>>): string[][] {
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        group.push(member);
      } while (member !== node);
      if (group.length > 1) {
        groups.push(group.sort());
      }
    }
  };
  nodes.filter((n) => !index.has(n)).forEach(visit);
  return groups.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The pairs of modules that import each other directly, with a file on each side. */
export function mutualImports(
  edges: Map<string, Map<string, string>>,
): Array<{ modules: [string, string]; files: [string, string] }> {
  const pairs: Array<{ modules: [string, string]; files: [string, string] }> = [];
  for (const [a, out] of edges) {
    for (const [b, file] of out) {
      const back = edges.get(b)?.get(a);
      if (a < b && back) {
        pairs.push({ modules: [a, b], files: [file, back] });
      }
    }
  }
  return pairs.sort((x, y) => x.modules.join().localeCompare(y.modules.join()));
}

if (require.main === module) {
  const edges = moduleImports(join(__dirname, '..', 'src'));
  const pairs = mutualImports(edges);
  const cycles = moduleCycles(edges);
  for (const { modules, files } of pairs) {
    console.log(`${modules[0]} <-> ${modules[1]}  (${files[0]}; ${files[1]})`);
  }
  for (const group of cycles) {
    console.log(`loop: ${group.join(', ')}`);
  }
  console.log(`${pairs.length} pairs of modules import each other; ${cycles.length} loops`);
  process.exitCode = pairs.length + cycles.length > 0 ? 1 : 0;
}
