// The core's wasm linear memory, for the soak and the memory bench. Call before the package
// loads: the first wasm instance created from then on is the core's (Node's entry instantiates
// it on import), and its exported memory is read as the package's glue reads it.
export function watchWasmMemory() {
  const Instance = WebAssembly.Instance;
  let memory;
  WebAssembly.Instance = function (module, imports) {
    const instance = new Instance(module, imports);
    memory ??= Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
    return instance;
  };
  return () => {
    if (!memory) throw new Error("no wasm instance was created after watchWasmMemory()");
    return memory.buffer.byteLength;
  };
}
