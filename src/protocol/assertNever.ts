/**
 * Marks a branch the type checker proves unreachable, such as the `default` of a
 * `switch` over a discriminated union. Adding a member to the union then fails to
 * compile at every switch that does not handle it, instead of failing at run time.
 *
 * @param value - the value whose type has been narrowed to `never`
 * @param what - a short name for the union, used in the error message
 * @throws always; reaching it at run time means a peer sent a kind this build does not know
 */
export function assertNever(value: never, what = 'value'): never {
  // A peer built from another version can still send an unknown kind at run time,
  // so say which one instead of failing silently.
  const kind = typeof value === 'object' && value !== null && 'kind' in value ? (value as { kind: unknown }).kind
    : typeof value === 'object' && value !== null && 'type' in value ? (value as { type: unknown }).type
      : value;
  throw new Error(`Unexpected ${what}: ${JSON.stringify(kind)}`);
}
