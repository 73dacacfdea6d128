// @nxtedition/rocksdb ships no type declarations; rocksBytesStore.ts is its only user.
declare module '@nxtedition/rocksdb' {
  export const RocksLevel: unknown;
}
