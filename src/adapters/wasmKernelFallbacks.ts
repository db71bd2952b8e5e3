import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22 lacks a few kernels the cpu backend has, among them
 * `Conv2DBackpropFilter`, so a backward pass through any convolution fails on
 * wasm ("Kernel 'Conv2DBackpropFilter' not registered"). Each missing kernel is
 * registered for wasm as a bridge: inputs are copied to the cpu backend, the
 * cpu kernel runs, and the outputs are copied back. Slower than a native
 * kernel, but correct, and only these rare ops pay for it.
 */
const BRIDGED = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
];

let registered = false;

interface Backend {
  readSync(dataId: object): tf.TypedArray;
  write(values: tf.TypedArray, shape: number[], dtype: tf.DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface Info { dataId: object; shape: number[]; dtype: tf.DataType }

/** Registers the cpu bridges for kernels wasm does not have. Idempotent. */
export function registerWasmKernelFallbacks(): void {
  if (registered) return;
  registered = true;
  for (const kernelName of BRIDGED) {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel || tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const wasm = backend as unknown as Backend;
        const cpu = tf.findBackend('cpu') as unknown as Backend & { firstUse?: boolean };
        // The cpu backend's first write prints an "install tfjs-node" banner; here it is only a helper.
        cpu.firstUse = false;
        const cpuInputs: Record<string, Info> = {};
        for (const [name, info] of Object.entries(inputs as Record<string, Info>)) {
          cpuInputs[name] = { dataId: cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
        }
        try {
          const out = cpuKernel.kernelFunc({ inputs: cpuInputs as unknown as tf.NamedTensorMap, backend: cpu as unknown as tf.KernelBackend, attrs }) as Info | Info[];
          const back = (o: Info): Info => {
            const values = cpu.readSync(o.dataId);
            cpu.disposeData(o.dataId, true);
            return { dataId: wasm.write(values, o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
          };
          return (Array.isArray(out) ? out.map(back) : back(out)) as unknown as tf.TensorInfo;
        } finally {
          for (const info of Object.values(cpuInputs)) cpu.disposeData(info.dataId, true);
        }
      },
    });
  }
}
