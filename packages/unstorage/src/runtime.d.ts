// The base64 functions every runtime this package supports provides (Node ≥ 16, Deno, Bun,
// browsers, workerd); the build targets no particular runtime, so they are declared here.
declare function atob(data: string): string;
declare function btoa(data: string): string;
