/**
 * Run-time checks for the params of incoming requests. The type system cannot
 * vouch for what arrives over IPC, so each handler runs one of these first and
 * answers a malformed message with an `InvalidParams` error instead of crashing
 * on it. Each validator returns `undefined` when the params are well-formed,
 * otherwise one line saying what is wrong.
 */
import { BACKEND_PREFERENCES, type BackendPreference } from './model';
import { MAX_PAGE_SIZE } from './requests';
import { HOOK_KINDS, MAX_TENSOR_PAGE, RESUME_MODES, type HookKind, type ResumeMode } from './runs';

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
    ?? (isAbsolutePath(o.file as string) ? undefined : `${what}: "file" must be an absolute path, got ${describe(o.file)}`)
    ?? (o.modelId === undefined ? undefined : nonEmptyString(o, 'modelId', what));
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

/** Validates {@link ListModulesParams}. */
export function validateListModulesParams(p: unknown): string | undefined {
  const what = 'listModules';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  return nonEmptyString(o, 'modelId', what) ?? (o.tensors === undefined ? undefined : booleanField(o, 'tensors', what));
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

function hookKind(o: Obj, what: string): string | undefined {
  return HOOK_KINDS.includes(o.kind as HookKind) ? undefined : `${what}: "kind" must be one of ${HOOK_KINDS.join(', ')}, got ${describe(o.kind)}`;
}

/** Validates {@link AttachHookParams}. */
export function validateAttachHookParams(p: unknown): string | undefined {
  const what = 'attachHook';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  const optionalText = (key: string) => (o[key] === undefined ? undefined
    : typeof o[key] === 'string' && (o[key] as string).length <= 4096 ? undefined : `${what}: "${key}" must be a string of at most 4096 characters`);
  return moduleRef(o, what) ?? hookKind(o, what)
    ?? (o.breakpoint === undefined ? undefined : booleanField(o, 'breakpoint', what))
    ?? optionalText('condition') ?? optionalText('hitCondition') ?? optionalText('logMessage')
    ?? optionalInt(o, 'hookId', 0, Number.MAX_SAFE_INTEGER, what)
    ?? optionalInt(o, 'hits', 0, Number.MAX_SAFE_INTEGER, what);
}

/** Validates {@link DetachHookParams}. */
export function validateDetachHookParams(p: unknown): string | undefined {
  const o = asObject(p, 'detachHook');
  if (typeof o === 'string') return o;
  return o.hookId === undefined ? 'detachHook: "hookId" is missing' : optionalInt(o, 'hookId', 0, Number.MAX_SAFE_INTEGER, 'detachHook');
}

/** Validates {@link RunParams}. */
export function validateRunParams(p: unknown): string | undefined {
  const what = 'run';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  const kindProblem = o.kind === 'forward' || o.kind === 'backward' ? undefined : `${what}: "kind" must be "forward" or "backward", got ${describe(o.kind)}`;
  return nonEmptyString(o, 'modelId', what) ?? kindProblem ?? (o.input === undefined ? undefined : validateRunInput(o.input, what))
    ?? (o.debug === undefined ? undefined : booleanField(o, 'debug', what));
}

function validateRunInput(input: unknown, what: string): string | undefined {
  const o = asObject(input, `${what}.input`);
  if (typeof o === 'string') return o;
  switch (o.source) {
    case 'default': return undefined;
    case 'file':
      return nonEmptyString(o, 'file', `${what}.input`)
        ?? (isAbsolutePath(o.file as string) ? undefined : `${what}.input: "file" must be an absolute path`);
    case 'random': {
      const shape = o.shape;
      const ok = Array.isArray(shape) && shape.length <= 8 && shape.every((d) => Number.isInteger(d) && d > 0 && d <= 1 << 20)
        && shape.reduce((a: number, b: number) => a * b, 1) <= 1 << 26;
      return ok ? undefined : `${what}.input: "shape" must be up to 8 positive integers with at most 2^26 elements in all`;
    }
    default:
      return `${what}.input: "source" must be "default", "file" or "random", got ${describe(o.source)}`;
  }
}

/** Validates {@link ResumeParams}. */
export function validateResumeParams(p: unknown): string | undefined {
  const o = asObject(p, 'resume');
  if (typeof o === 'string') return o;
  return RESUME_MODES.includes(o.mode as ResumeMode) ? undefined : `resume: "mode" must be one of ${RESUME_MODES.join(', ')}, got ${describe(o.mode)}`;
}

/** Validates {@link GetTensorParams}. */
export function validateGetTensorParams(p: unknown): string | undefined {
  const what = 'getTensor';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  const ref = typeof o.tensorId === 'string' ? nonEmptyString(o, 'tensorId', what)
    : nonEmptyString(o, 'modelId', what) ?? nonEmptyString(o, 'name', what);
  const start = typeof o.start === 'number' ? o.start : 0;
  return ref ?? optionalInt(o, 'start', 0, Number.MAX_SAFE_INTEGER, what) ?? optionalInt(o, 'end', 0, Number.MAX_SAFE_INTEGER, what)
    ?? (typeof o.end === 'number' && (o.end < start || o.end - start > MAX_TENSOR_PAGE)
      ? `${what}: "end" must be at least "start" and at most ${MAX_TENSOR_PAGE} past it` : undefined);
}

/** Validates {@link LoadStateDictParams}. */
export function validateLoadStateDictParams(p: unknown): string | undefined {
  const what = 'loadStateDict';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  return nonEmptyString(o, 'modelId', what) ?? nonEmptyString(o, 'file', what)
    ?? (isAbsolutePath(o.file as string) ? undefined : `${what}: "file" must be an absolute path, got ${describe(o.file)}`)
    ?? (o.strict === undefined ? undefined : booleanField(o, 'strict', what));
}

/** Validates {@link EvaluateParams}. */
export function validateEvaluateParams(p: unknown): string | undefined {
  const o = asObject(p, 'evaluate');
  if (typeof o === 'string') return o;
  return nonEmptyString(o, 'expression', 'evaluate')
    ?? ((o.expression as string).length > 4096 ? 'evaluate: "expression" must be at most 4096 characters' : undefined);
}

/** Validates {@link SaveStateDictParams}. */
export function validateSaveStateDictParams(p: unknown): string | undefined {
  const what = 'saveStateDict';
  const o = asObject(p, what);
  if (typeof o === 'string') return o;
  return nonEmptyString(o, 'modelId', what) ?? nonEmptyString(o, 'file', what)
    ?? (isAbsolutePath(o.file as string) ? undefined : `${what}: "file" must be an absolute path, got ${describe(o.file)}`);
}

/** Validates {@link ReleaseTensorsParams}. */
export function validateReleaseTensorsParams(p: unknown): string | undefined {
  const o = asObject(p, 'releaseTensors');
  if (typeof o === 'string') return o;
  const ids = o.tensorIds;
  return Array.isArray(ids) && ids.length <= 100_000 && ids.every((id) => typeof id === 'string' && id.length <= 64) ? undefined
    : 'releaseTensors: "tensorIds" must be an array of at most 100000 tensor ids';
}
