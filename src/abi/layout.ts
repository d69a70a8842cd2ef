// Struct layouts of preview1 (and the preview0 variants): byte offsets and sizes, from the witx ABI.

/** `$iovec` / `$ciovec`: buf u32, buf_len u32. */
export const IOVEC = { size: 8, buf: 0, bufLen: 4 } as const;

/** `$fdstat`. */
export const FDSTAT = { size: 24, filetype: 0, flags: 2, rightsBase: 8, rightsInheriting: 16 } as const;

/** `$prestat`: a tagged union whose only variant (dir) holds the name length. */
export const PRESTAT = { size: 8, tag: 0, nameLen: 4 } as const;

/** A `$filestat` layout: preview1's and preview0's differ in `nlink` (u64 vs u32) and what follows. */
export interface FilestatLayout {
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  readonly filetype: number;
  readonly nlink: number;
  /** 8 for preview1's u64 `linkcount`, 4 for preview0's u32. */
  readonly nlinkSize: 4 | 8;
  readonly fileSize: number;
  readonly atim: number;
  readonly mtim: number;
  readonly ctim: number;
}

/** `$filestat` in preview1. */
export const FILESTAT: FilestatLayout = {
  size: 64,
  dev: 0,
  ino: 8,
  filetype: 16,
  nlink: 24,
  nlinkSize: 8,
  fileSize: 32,
  atim: 40,
  mtim: 48,
  ctim: 56,
};

/** `$filestat` in preview0 (`wasi_unstable`): `linkcount` is u32. */
export const FILESTAT_P0: FilestatLayout = {
  size: 56,
  dev: 0,
  ino: 8,
  filetype: 16,
  nlink: 20,
  nlinkSize: 4,
  fileSize: 24,
  atim: 32,
  mtim: 40,
  ctim: 48,
};

/** `$dirent` header; the name follows it, unterminated. */
export const DIRENT = { size: 24, next: 0, ino: 8, namlen: 16, type: 20 } as const;

/** A `$subscription` layout: preview0's clock variant has an extra `identifier` field first. */
export interface SubscriptionLayout {
  readonly size: number;
  readonly userdata: number;
  readonly tag: number;
  readonly clockId: number;
  readonly clockTimeout: number;
  readonly clockPrecision: number;
  readonly clockFlags: number;
  readonly fd: number;
}

/** `$subscription` in preview1. */
export const SUBSCRIPTION: SubscriptionLayout = {
  size: 48,
  userdata: 0,
  tag: 8,
  clockId: 16,
  clockTimeout: 24,
  clockPrecision: 32,
  clockFlags: 40,
  fd: 16,
};

/** `$subscription` in preview0: `subscription_clock` starts with `identifier: u64`. */
export const SUBSCRIPTION_P0: SubscriptionLayout = {
  size: 56,
  userdata: 0,
  tag: 8,
  clockId: 24,
  clockTimeout: 32,
  clockPrecision: 40,
  clockFlags: 48,
  fd: 16,
};

/** `$event` (the same in preview0 and preview1). */
export const EVENT = { size: 32, userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 } as const;
