// The core's wasm linear memory, for the soak and the memory bench. Call before the package
// loads: the first wasm instance created from then on is the core's (Node's entry instantiates
// it on import), and its exported memory is read as the package's glue reads it. A proxy, so
// `instanceof WebAssembly.Instance` and everything else about the constructor still hold.
export function watchWasmMemory() {
  let memory;
  WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(target, args, newTarget);
      memory ??= Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
      return instance;
    },
  });
  return () => {
    if (!memory) throw new Error("no wasm instance was created after watchWasmMemory()");
    return memory.buffer.byteLength;
  };
}
