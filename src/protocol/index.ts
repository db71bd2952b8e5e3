/**
 * The typed protocol shared by the model server, the extension and the webview.
 * Knows neither VS Code nor TensorFlow.js.
 */
export * from './assertNever';
export * from './errors';
export * from './model';
export * from './requests';
export * from './validate';
export * from './webview';
export * from './runs';
