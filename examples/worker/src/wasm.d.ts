/** wrangler (and workerd) hand a `.wasm` import over as a module compiled at deploy time. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
