// WASI preview1 enum and flag values (spec/preview1/typenames.witx), plus the preview0 differences.

/** `$clockid`. */
export const ClockId = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;

/** `$whence` in preview1. Preview0 numbers them CUR=0, END=1, SET=2: see `WHENCE_FROM_P0`. */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;
/** One preview1 `$whence` value. */
export type Whence = (typeof Whence)[keyof typeof Whence];
/** Preview0 whence value → preview1 whence value. */
export const WHENCE_FROM_P0: readonly Whence[] = [Whence.CUR, Whence.END, Whence.SET];

/** `$filetype`. */
export const Filetype = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;
/** One `$filetype` value. */
export type Filetype = (typeof Filetype)[keyof typeof Filetype];

/** `$fdflags` (u16). */
export const FdFlags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** Every defined `$fdflags` bit. */
export const FDFLAGS_ALL = 0x1f;

/** `$oflags` (u16). */
export const OFlags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** `$lookupflags` (u32). */
export const LookupFlags = { SYMLINK_FOLLOW: 1 } as const;
/** `$fstflags` (u16). */
export const FstFlags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** `$subclockflags` (u16). */
export const SubclockFlags = { ABSTIME: 1 } as const;
/** `$eventtype` (u8). */
export const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
/** `$eventrwflags` (u16). */
export const EventRwFlags = { FD_READWRITE_HANGUP: 1 } as const;
/** `$preopentype` (u8). */
export const PreopenType = { DIR: 0 } as const;
/** `$riflags`, `$roflags`, `$sdflags`. */
export const RiFlags = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;
export const SdFlags = { RD: 1, WR: 2 } as const;
/** `$advice` has values 0 (normal) to 5 (noreuse). */
export const ADVICE_MAX = 5;

/**
 * `$rights` bits. Every bit is below 2^30, so rights are plain numbers in the host and are written
 * to guest memory as two 32-bit halves.
 */
export const Rights = {
  FD_DATASYNC: 1 << 0,
  FD_READ: 1 << 1,
  FD_SEEK: 1 << 2,
  FD_FDSTAT_SET_FLAGS: 1 << 3,
  FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5,
  FD_WRITE: 1 << 6,
  FD_ADVISE: 1 << 7,
  FD_ALLOCATE: 1 << 8,
  PATH_CREATE_DIRECTORY: 1 << 9,
  PATH_CREATE_FILE: 1 << 10,
  PATH_LINK_SOURCE: 1 << 11,
  PATH_LINK_TARGET: 1 << 12,
  PATH_OPEN: 1 << 13,
  FD_READDIR: 1 << 14,
  PATH_READLINK: 1 << 15,
  PATH_RENAME_SOURCE: 1 << 16,
  PATH_RENAME_TARGET: 1 << 17,
  PATH_FILESTAT_GET: 1 << 18,
  PATH_FILESTAT_SET_SIZE: 1 << 19,
  PATH_FILESTAT_SET_TIMES: 1 << 20,
  FD_FILESTAT_GET: 1 << 21,
  FD_FILESTAT_SET_SIZE: 1 << 22,
  FD_FILESTAT_SET_TIMES: 1 << 23,
  PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25,
  PATH_UNLINK_FILE: 1 << 26,
  POLL_FD_READWRITE: 1 << 27,
  SOCK_SHUTDOWN: 1 << 28,
  SOCK_ACCEPT: 1 << 29,
} as const;
/** Every defined rights bit. */
export const RIGHTS_ALL = (1 << 30) - 1;
