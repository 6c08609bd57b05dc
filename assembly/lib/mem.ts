/** Int32 column access for kernels: element `i` of the column at byte offset `base`. */
@inline export function ld(base: usize, i: i32): i32 {
  return load<i32>(base + ((<usize>i) << 2));
}
@inline export function st(base: usize, i: i32, v: i32): void {
  store<i32>(base + ((<usize>i) << 2), v);
}
