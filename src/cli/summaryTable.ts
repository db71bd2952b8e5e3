/**
 * The torchinfo-like table `module-lens inspect` prints: one row per module in tree order
 * (type and dotted path, own parameter count, whether those parameters train), totals below.
 */
import type { Module } from '../nn';

interface Row {
  label: string;
  params: string;
  trainable: string;
}

const HEADERS: Row = { label: 'Layer (type:path)', params: 'Param #', trainable: 'Trainable' };

/** Renders the table for `model`; every line ends with a newline. */
export function renderSummaryTable(model: Module): string {
  const rows: Row[] = [];
  walk(model, '', '', true, true, new Set(), rows);

  let total = 0;
  let trainable = 0;
  // namedParameters() yields a shared parameter once, so totals count it once.
  for (const [, p] of model.namedParameters()) {
    total += p.size;
    if (p.requiresGrad) trainable += p.size;
  }

  const widths = {
    label: Math.max(...[HEADERS, ...rows].map((r) => r.label.length)) + 4,
    params: Math.max(...[HEADERS, ...rows].map((r) => r.params.length)) + 4,
  };
  const line = (r: Row) => `${r.label.padEnd(widths.label)}${r.params.padEnd(widths.params)}${r.trainable}`.trimEnd();
  const rule = '='.repeat(Math.max(widths.label + widths.params + HEADERS.trainable.length, 40));
  return [
    rule,
    line(HEADERS),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${count(total)}`,
    `Trainable params: ${count(trainable)}`,
    `Non-trainable params: ${count(total - trainable)}`,
    rule,
  ].map((l) => `${l}\n`).join('');
}

/** Depth-first like `namedModules()` (each shared module once), drawing torchinfo's tree lines. */
function walk(m: Module, path: string, indent: string, isLast: boolean, isRoot: boolean, seen: Set<Module>, rows: Row[]): void {
  seen.add(m);
  const branch = isRoot ? '' : `${indent}${isLast ? '└─' : '├─'}`;
  const own = [...m.namedParameters('', false)].map(([, p]) => p);
  const children = [...m.namedChildren()].filter(([, c]) => !seen.has(c));
  const ownCount = own.reduce((n, p) => n + p.size, 0);
  rows.push({
    label: isRoot ? m.typeName : `${branch}${m.typeName}: ${path}`,
    params: own.length === 0 && children.length > 0 ? '--' : count(ownCount),
    trainable: own.length === 0 ? '--' : own.every((p) => p.requiresGrad) ? 'True' : own.some((p) => p.requiresGrad) ? 'Partial' : 'False',
  });
  const childIndent = isRoot ? '' : `${indent}${isLast ? '   ' : '│  '}`;
  children.forEach(([name, child], i) => {
    if (seen.has(child)) return;
    walk(child, path ? `${path}.${name}` : name, childIndent, i === children.length - 1, false, seen, rows);
  });
}

/** Thousands separators, as torchinfo prints counts. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}
