// @ts-check
/**
 * Three bundles, so the installed .vsix needs no node_modules:
 *  - dist/extension.js  the extension host side (vscode is provided by the host)
 *  - dist/server.js     the model server process, with tfjs, the engine and sucrase,
 *                       plus the tfjs wasm binaries copied beside it
 *  - dist/webview.js    the webview script (browser target, one chunk), with
 *                       codicon.css/codicon.ttf from @vscode/codicons copied beside it
 */
'use strict';

const path = require('node:path');
const CopyPlugin = require('copy-webpack-plugin');
const webpack = require('webpack');

const dist = path.resolve(__dirname, 'dist');

/**
 * Minify, but keep class and function names: the engine prints PyTorch-style
 * reprs from constructor names (`Linear(...)`), and stack traces stay readable.
 * @type {import('webpack').Configuration['optimization']}
 */
const optimization = {
  minimizeOptions: {
    javascript: { compress: { passes: 2 }, keep_classnames: true, keep_fnames: true, mangle: { keep_classnames: true, keep_fnames: true } },
  },
};

/** @param {string} configFile @returns {import('webpack').RuleSetRule} */
const typescript = (configFile) => ({
  test: /\.ts$/,
  exclude: /node_modules/,
  // Type checking is `tsc --noEmit`'s job; the bundler only strips types.
  use: [{ loader: 'ts-loader', options: { transpileOnly: true, configFile } }],
});

/** @type {import('webpack').Configuration} */
const nodeBase = {
  target: 'node20',
  devtool: 'source-map',
  resolve: { extensions: ['.ts', '.js'] },
  // Keep __dirname the bundle's folder: the server finds the wasm binaries there.
  node: { __dirname: false, __filename: false },
  module: { rules: [typescript(path.resolve(__dirname, 'tsconfig.json'))] },
  optimization,
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  ignoreWarnings: [
    // Its UMD wrapper passes `require` to a factory that never calls it (the package has no dependencies).
    { module: /vscode-languageserver-types[\\/]lib[\\/]umd/, message: /Critical dependency/ },
  ],
};

/** @type {import('webpack').Configuration} */
const extension = {
  ...nodeBase,
  name: 'extension',
  entry: './src/extension/extension.ts',
  output: { path: dist, filename: 'extension.js', library: { type: 'commonjs2' } },
  externals: { vscode: 'commonjs vscode' },
};

/** @type {import('webpack').Configuration} */
const server = {
  ...nodeBase,
  name: 'server',
  // The server's main thread, its engine worker and the CLI (`node dist/cli.js`) share externals, alias and wasm binaries.
  entry: { server: './src/server/server.ts', serverWorker: './src/server/serverWorker.ts', cli: './src/cli/main.ts' },
  output: { path: dist, filename: '[name].js', library: { type: 'commonjs2' } },
  externals: {
    // Native, optional and large: required lazily by the engine when installed, else it falls back to wasm.
    '@tensorflow/tfjs-node': 'commonjs @tensorflow/tfjs-node',
    // Large and already one file: copied next to the bundle rather than minified into it.
    typescript: 'commonjs ./typescript.js',
  },
  resolve: {
    ...nodeBase.resolve,
    // The engine's own `import ... from 'module-lens'` (tsconfig paths) points at its sources.
    alias: { 'module-lens$': path.resolve(__dirname, 'src/index.ts') },
  },
  plugins: [
    new CopyPlugin({
      patterns: [
        { from: 'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm', to: '[name][ext]' },
        { from: 'node_modules/typescript/lib/typescript.js', to: 'typescript.js' },
      ],
    }),
  ],
};

/** @type {import('webpack').Configuration} */
const webview = {
  name: 'webview',
  target: 'web',
  devtool: 'source-map',
  entry: './webview/main.ts',
  output: { path: dist, filename: 'webview.js' },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [typescript(path.resolve(__dirname, 'webview/tsconfig.json'))] },
  plugins: [
    // One file: the webview's content security policy names one script.
    new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
    // VS Code's icon font, linked by the panel's HTML as VS Code's own webviews do; the .vsix
    // ships no node_modules, so the two files go into dist/.
    new CopyPlugin({
      patterns: [
        { from: 'node_modules/@vscode/codicons/dist/codicon.css', to: 'codicon.css' },
        { from: 'node_modules/@vscode/codicons/dist/codicon.ttf', to: 'codicon.ttf' },
      ],
    }),
  ],
  optimization: { ...optimization, splitChunks: false, runtimeChunk: false },
  performance: { hints: false },
};

module.exports = [extension, server, webview];
