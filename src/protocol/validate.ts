/**
 * Run-time checks for the params of incoming requests. The type system cannot
 * vouch for what arrives over IPC, so each handler runs one of these first and
 * answers a malformed message with an `InvalidParams` error instead of crashing
 * on it. Each validator returns `undefined` when the params are well-formed,
 * otherwise one line saying what is wrong.
 */
import { BACKEND_PREFERENCES, type BackendPreference } from './model';
import { MAX_PAGE_SIZE } from './requests';

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : typeof v;
}

function asObject(p: unknown, what: string): Obj | string {
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? p as Obj : `${what}: params must be an object, got ${describe(p)}`;
}

function stringField(o: Obj, key: string, what: string): string | undefined {
  return typeof o[key] === 'string' ? undefined : `${what}: "${key}" must be a string, got ${describe(o[key])}`;
}

function booleanField(o: Obj, key: string, what: string): string | undefined {
  return typeof o[key] === 'boolean' ? undefined : `${what}: "${key}" must be a boolean, got ${describe(o[key])}`;
}

function nonEmptyString(o: Obj, key: string, what: string): string | undefined {
  return stringField(o, key, what) ?? ((o[key] as string).length === 0 ? `${what}: "${key}" must not be empty` : undefined);
}

/**
 * Checks a dotted module path: `''` for the root, else non-empty segments joined by dots.
 *
 * @returns `undefined` when well-formed, else a one-line problem
 */
export function validateModulePath(path: unknown): string | undefined {
  if (typeof path !== 'string') return `path must be a string, got ${describe(path)}`;
  if (path === '') return undefined;
  return path.split('.').some((s) => s.length === 0) ? `path ${describe(path)} has an empty segment` : undefined;
}

/** True for a POSIX (`/x`), Windows drive (`C:\x`, `C:/x`) or UNC (`\\host\x`) absolute path. */
export function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}

function moduleRef(o: Obj, what: string): string | undefined {
  const pathProblem = 'path' in o ? validateModulePath(o.path) : 'path is missing';
  return nonEmptyString(o, 'modelId', what) ?? (pathProblem && `${what}: ${pathProblem}`);
}

function optionalInt(o: Obj, key: string, min: number, max: number, what: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined
    : `${what}: "${key}" must be an integer from ${min} to ${max}, got ${typeof v === 'number' ? v : describe(v)}`;
}

/** Validates {@link OpenModelParams}. */
export function validateOpenModelParams(p: unknown): string | undefined {
  const what = 'openModel';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  return nonEmptyString(o, 'file', what)
    ?? (isAbsolutePath(o.file as string) ? undefined : `${what}: "file" must be an absolute path, got ${describe(o.file)}`);
}

/** Validates {@link CloseModelParams}. */
export function validateCloseModelParams(p: unknown): string | undefined {
  const o = asObject(p, 'closeModel');
  return typeof o === 'string' ? o : nonEmptyString(o, 'modelId', 'closeModel');
}

/** Validates {@link GetChildrenParams}. */
export function validateGetChildrenParams(p: unknown): string | undefined {
  const what = 'getChildren';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  const group = o.group;
  return moduleRef(o, what)
    ?? (group === undefined || group === 'parameters' || group === 'buffers' ? undefined
      : `${what}: "group" must be "parameters" or "buffers", got ${describe(group)}`)
    ?? optionalInt(o, 'offset', 0, Number.MAX_SAFE_INTEGER, what)
    ?? optionalInt(o, 'limit', 1, MAX_PAGE_SIZE, what);
}

/** Validates {@link SetTrainingParams}. */
export function validateSetTrainingParams(p: unknown): string | undefined {
  const what = 'setTraining';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  return moduleRef(o, what) ?? booleanField(o, 'mode', what) ?? booleanField(o, 'recursive', what);
}

/**
 * Reads the `moduleLens.backend` setting leniently: anything unknown becomes `auto`,
 * because a typo in settings should not stop the server from starting.
 */
export function parseBackendPreference(v: unknown): BackendPreference {
  return BACKEND_PREFERENCES.includes(v as BackendPreference) ? v as BackendPreference : 'auto';
}
