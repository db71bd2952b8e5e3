/**
 * Builds an `nn` module from the Python constructor expression a fixture
 * records, e.g. `nn.Conv2d(3, 8, 3, stride=2, padding=1)`, so each fixture is
 * checked against exactly the layer PyTorch built. Keyword arguments become the
 * trailing options object; tuples and lists become arrays.
 */
import { nn } from '../../src';

type Value = number | string | boolean | null | Value[] | nn.Module;

export function buildFromPython(expr: string): nn.Module {
  let pos = 0;
  const ws = () => { while (/\s/.test(expr[pos] ?? '')) pos++; };
  const expect = (c: string) => {
    ws();
    if (expr[pos] !== c) throw new Error(`expected '${c}' at ${pos} in ${expr}`);
    pos++;
  };

  function term(): Value {
    ws();
    const c = expr[pos];
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: Value[] = [];
      ws();
      while (expr[pos] !== close) {
        items.push(value());
        ws();
        if (expr[pos] === ',') pos++;
        ws();
      }
      pos++;
      return items;
    }
    if (c === "'" || c === '"') {
      const end = expr.indexOf(c, pos + 1);
      const s = expr.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const num = /^-?\d+(\.\d+)?(e-?\d+)?/.exec(expr.slice(pos));
    if (num) { pos += num[0].length; return Number(num[0]); }
    const ident = /^[A-Za-z_][\w.]*/.exec(expr.slice(pos));
    if (!ident) throw new Error(`cannot parse ${expr.slice(pos)}`);
    pos += ident[0].length;
    if (ident[0] === 'True') return true;
    if (ident[0] === 'False') return false;
    if (ident[0] === 'None') return null;
    return call(ident[0]);
  }

  function value(): Value {
    let v = term();
    ws();
    while (expr[pos] === '*') {
      pos++;
      v = (v as number) * (term() as number);
      ws();
    }
    return v;
  }

  function call(name: string): nn.Module {
    const cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[name.replace(/^nn\./, '')];
    if (!cls) throw new Error(`nn has no ${name}`);
    expect('(');
    const args: Value[] = [];
    const kwargs: Record<string, Value> = {};
    ws();
    while (expr[pos] !== ')') {
      const kw = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(expr.slice(pos));
      if (kw) { pos += kw[0].length; kwargs[kw[1]] = value(); } else args.push(value());
      ws();
      if (expr[pos] === ',') pos++;
      ws();
    }
    pos++;
    // Python's ModuleList([...]) and Sequential(*mods) both take modules.
    if (name.endsWith('ModuleList')) return new cls(args[0]);
    return Object.keys(kwargs).length ? new cls(...args, kwargs) : new cls(...args);
  }

  const m = value();
  if (!(m instanceof nn.Module)) throw new Error(`${expr} is not a module`);
  return m;
}
