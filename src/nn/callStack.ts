import type { Module } from './module';

/**
 * The modules currently inside a call, outermost first. Error messages and
 * hook events use it to name a module by its dotted path from the module the
 * user called, the way `named_modules()` names it.
 */
const stack: Module[] = [];

/** Enters `m`; pair with {@link leaveCall}. */
export function enterCall(m: Module): void {
  stack.push(m);
}

/** Whether no module call is in progress. */
export function isOutermostCall(): boolean {
  return stack.length === 0;
}

/** Leaves the innermost call. */
export function leaveCall(): void {
  stack.pop();
}

/** Dotted path of the innermost module in the call stack, relative to the outermost one. */
export function currentCallPath(): string {
  return pathOfStack(stack.length);
}

/** Dotted path of `m` within the current call, or '' when `m` is the outermost module. */
export function pathInCall(m: Module): string {
  const depth = stack.lastIndexOf(m);
  if (depth >= 0) return pathOfStack(depth + 1);
  const root = stack[0];
  if (root) {
    for (const [name, sub] of root.namedModules()) if (sub === m) return name;
  }
  return '';
}

/** How many module calls are in progress (1 inside the outermost module's forward). */
export function callDepth(): number {
  return stack.length;
}

/** Every module in the current call, outermost first, with its dotted path and type. */
export function callStackPaths(): { path: string; type: string }[] {
  return stack.map((m, i) => ({ path: pathOfStack(i + 1), type: m.typeName }));
}

function pathOfStack(depth: number): string {
  const parts: string[] = [];
  for (let i = 1; i < depth; i++) {
    const parent = stack[i - 1];
    const child = stack[i];
    let found: string | undefined;
    for (const [name, sub] of parent._modules) {
      if (sub === child) { found = name; break; }
    }
    if (found === undefined) {
      // Called without being registered on its caller: fall back to the root's view.
      for (const [name, sub] of stack[0].namedModules()) {
        if (sub === child) { parts.length = 0; found = name; break; }
      }
    }
    parts.push(found ?? `<${child.typeName}>`);
  }
  return parts.filter((p) => p !== '').join('.');
}
