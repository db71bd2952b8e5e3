/**
 * Recognises an expression that creates a module or a tfjs layer, and the type it
 * creates, so a variable holding it can be matched with a module of the tree.
 */
import type * as TS from 'typescript';

/** What an expression creates: `Linear` for `new nn.Linear(…)`, `dense` for `tf.layers.dense({…})`. */
export interface LayerCreation {
  readonly type: string;
  /** The layer's `name` option, when given as a string literal. */
  readonly name?: string;
}

/** `new nn.Linear(3, 4)`, `new Block()`, `tf.layers.dense({ units: 4, name: 'hidden' })`; otherwise `undefined`. */
export function layerCreation(ts: typeof TS, node: TS.Node): LayerCreation | undefined {
  if (ts.isNewExpression(node)) {
    const type = node.expression.getText().split('.').pop() ?? '';
    return /^[A-Z]/.test(type) ? { type } : undefined;
  }
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const owner = node.expression.expression.getText().split('.').pop();
    if (owner !== 'layers') return undefined;
    const config = node.arguments[0];
    const nameProp = config && ts.isObjectLiteralExpression(config)
      ? config.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'name')
      : undefined;
    const name = nameProp && ts.isPropertyAssignment(nameProp) && ts.isStringLiteralLike(nameProp.initializer) ? nameProp.initializer.text : undefined;
    return { type: node.expression.name.text, ...(name !== undefined ? { name } : {}) };
  }
  return undefined;
}

/**
 * Whether a created type names a module's class. tfjs factories are camel case
 * (`conv2d` makes a `Conv2D`, `batchNormalization` a `BatchNormalization`), so case is ignored.
 */
export function sameType(created: string | undefined, moduleType: string | undefined): boolean {
  return created !== undefined && moduleType !== undefined && created.toLowerCase() === moduleType.toLowerCase();
}
