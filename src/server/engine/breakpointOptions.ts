/** Checks and applies the options VS Code gives any breakpoint: condition, hit count, log message. */
import * as vm from 'node:vm';
import type { AttachHookParams } from '../../protocol';

/** A parsed hit condition: `>= 3`, `> 3`, `== 3`, `3`, `<= 3`, `< 3`, `% 10`. */
interface HitCondition { op: '>=' | '>' | '==' | '<=' | '<' | '%'; n: number }

function parseHitCondition(text: string): HitCondition | undefined {
  const m = /^\s*(>=|>|==|=|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const op = (m[1] === '=' || m[1] === undefined ? '==' : m[1]) as HitCondition['op'];
  return { op, n: Number(m[2]) };
}

/** Whether the `hits`-th hit satisfies the hit condition. */
export function hitConditionHolds(text: string, hits: number): boolean {
  const c = parseHitCondition(text);
  if (!c) return true;
  switch (c.op) {
    case '>=': return hits >= c.n;
    case '>': return hits > c.n;
    case '==': return hits === c.n;
    case '<=': return hits <= c.n;
    case '<': return hits < c.n;
    case '%': return c.n > 0 && hits % c.n === 0;
  }
}

/** Why a breakpoint's options cannot work (a condition that does not compile), or `undefined`. */
export function checkBreakpointOptions(p: AttachHookParams): string | undefined {
  if (p.hitCondition && !parseHitCondition(p.hitCondition)) {
    return `hit condition "${p.hitCondition}" is not understood; use a count such as 3, >= 3 or % 10`;
  }
  if (p.condition) {
    try {
      new vm.Script(`!!(${p.condition}\n)`);
    } catch (err) {
      return `condition does not compile: ${(err as Error).message}`;
    }
  }
  return undefined;
}
