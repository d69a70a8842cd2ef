// The WASI preview1 and preview0 ABI as the tests pin it: functions with their core wasm signatures, every
// enum and flag in order, every struct's size, alignment and field offsets. Written out here, in our own form, so
// the tests need nothing beside the checkout; `npm run check:spec -- DIR` checks this table against the witx.

/**
 * How a function takes one core wasm parameter: a descriptor, a guest pointer (an input buffer or where a result
 * goes), another i32 (a length, a flag set, an enum), or an i64. The first three are wasm `i32`.
 */
export type CoreKind = "fd" | "ptr" | "i32" | "i64";

/** One imported function: its name and core wasm parameters; it returns an i32 errno, or nothing (proc_exit). */
export interface AbiFunction {
  readonly name: string;
  readonly params: readonly CoreKind[];
  readonly result: "errno" | "none";
}

/** The wasm value type of a parameter kind. */
export function wasmType(kind: CoreKind): "i32" | "i64" {
  return kind === "i64" ? "i64" : "i32";
}

/** An enum: its byte size (the tag's) and its cases in value order, 0 first. */
export interface EnumFacts {
  readonly kind: "enum";
  readonly size: 1 | 2 | 4 | 8;
  readonly cases: readonly string[];
}

/** A flag set: its byte size and its flag names in bit order (bit 0, value 1, first). */
export interface FlagsFacts {
  readonly kind: "flags";
  readonly size: 1 | 2 | 4 | 8;
  readonly bits: readonly string[];
}

/**
 * A record or a union: size, alignment, and `[offset, size]` of every field in declaration order. A field of
 * record or union type is followed by its own fields as `outer.inner`; a union lists its tag as `$tag`, then
 * each case (named after the tag's enum case) at the payload offset.
 */
export interface StructFacts {
  readonly kind: "record" | "union";
  readonly size: number;
  readonly align: number;
  readonly fields: Readonly<Record<string, readonly [offset: number, size: number]>>;
}

/** Any of the named types the table pins. */
export type TypeFacts = EnumFacts | FlagsFacts | StructFacts;

/** One version of the ABI: its import module name, its functions in spec order, its named types. */
export interface AbiVersion {
  readonly module: string;
  readonly functions: readonly AbiFunction[];
  readonly types: Readonly<Record<string, TypeFacts>>;
}

/** The whole table: preview1 (`wasi_snapshot_preview1`) and preview0 (`wasi_unstable`). */
export interface AbiFacts {
  readonly preview1: AbiVersion;
  readonly preview0: AbiVersion;
}

// ---- helpers that keep the table short ----

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== "");
const fn = (name: string, params: string, result: "errno" | "none" = "errno"): AbiFunction => ({
  name,
  params: words(params) as CoreKind[],
  result,
});
const enumOf = (size: 1 | 2 | 4 | 8, cases: string): EnumFacts => ({ kind: "enum", size, cases: words(cases) });
const flagsOf = (size: 1 | 2 | 4 | 8, bits: string): FlagsFacts => ({ kind: "flags", size, bits: words(bits) });
const record = (size: number, align: number, fields: StructFacts["fields"]): StructFacts => ({
  kind: "record",
  size,
  align,
  fields,
});
const union = (size: number, align: number, fields: StructFacts["fields"]): StructFacts => ({
  kind: "union",
  size,
  align,
  fields,
});

// ---- functions ----

/** The 46 preview1 functions in spec order. A string is (pointer, length); a list is (pointer, count). */
const P1_FUNCTIONS: readonly AbiFunction[] = [
  fn("args_get", "ptr ptr"),
  fn("args_sizes_get", "ptr ptr"), // argc, argv_buf_size
  fn("environ_get", "ptr ptr"),
  fn("environ_sizes_get", "ptr ptr"),
  fn("clock_res_get", "i32 ptr"),
  fn("clock_time_get", "i32 i64 ptr"), // id, precision, -> time
  fn("fd_advise", "fd i64 i64 i32"),
  fn("fd_allocate", "fd i64 i64"),
  fn("fd_close", "fd"),
  fn("fd_datasync", "fd"),
  fn("fd_fdstat_get", "fd ptr"),
  fn("fd_fdstat_set_flags", "fd i32"),
  fn("fd_fdstat_set_rights", "fd i64 i64"),
  fn("fd_filestat_get", "fd ptr"),
  fn("fd_filestat_set_size", "fd i64"),
  fn("fd_filestat_set_times", "fd i64 i64 i32"),
  fn("fd_pread", "fd ptr i32 i64 ptr"), // iovs, iovs_len, offset, -> nread
  fn("fd_prestat_get", "fd ptr"),
  fn("fd_prestat_dir_name", "fd ptr i32"),
  fn("fd_pwrite", "fd ptr i32 i64 ptr"),
  fn("fd_read", "fd ptr i32 ptr"),
  fn("fd_readdir", "fd ptr i32 i64 ptr"), // buf, buf_len, cookie, -> bufused
  fn("fd_renumber", "fd fd"),
  fn("fd_seek", "fd i64 i32 ptr"), // offset, whence, -> newoffset
  fn("fd_sync", "fd"),
  fn("fd_tell", "fd ptr"),
  fn("fd_write", "fd ptr i32 ptr"),
  fn("path_create_directory", "fd ptr i32"),
  fn("path_filestat_get", "fd i32 ptr i32 ptr"), // flags, path, -> filestat
  fn("path_filestat_set_times", "fd i32 ptr i32 i64 i64 i32"),
  fn("path_link", "fd i32 ptr i32 fd ptr i32"),
  fn("path_open", "fd i32 ptr i32 i32 i64 i64 i32 ptr"), // dirflags, path, oflags, rights x2, fdflags, -> fd
  fn("path_readlink", "fd ptr i32 ptr i32 ptr"),
  fn("path_remove_directory", "fd ptr i32"),
  fn("path_rename", "fd ptr i32 fd ptr i32"),
  fn("path_symlink", "ptr i32 fd ptr i32"), // old_path first, then the directory
  fn("path_unlink_file", "fd ptr i32"),
  fn("poll_oneoff", "ptr ptr i32 ptr"),
  fn("proc_exit", "i32", "none"), // noreturn
  fn("proc_raise", "i32"),
  fn("sched_yield", ""),
  fn("random_get", "ptr i32"),
  fn("sock_accept", "fd i32 ptr"),
  fn("sock_recv", "fd ptr i32 i32 ptr ptr"), // ri_data, ri_flags, -> ro_datalen, ro_flags
  fn("sock_send", "fd ptr i32 i32 ptr"),
  fn("sock_shutdown", "fd i32"),
];

/** preview0 has the same functions with the same signatures, less sock_accept (which came with preview1). */
const P0_FUNCTIONS: readonly AbiFunction[] = P1_FUNCTIONS.filter((f) => f.name !== "sock_accept");

// ---- named types ----

/** The named types of preview1 (the plain integer aliases, handles and lists are left out). */
const P1_TYPES = {
  clockid: enumOf(4, "realtime monotonic process_cputime_id thread_cputime_id"),
  // 77 values, ten to a row: success 0, badf 8, fault 21, inval 28, nosys 52, notcapable 76.
  errno: enumOf(
    2,
    `success 2big acces addrinuse addrnotavail afnosupport again already badf badmsg
     busy canceled child connaborted connrefused connreset deadlk destaddrreq dom dquot
     exist fault fbig hostunreach idrm ilseq inprogress intr inval io
     isconn isdir loop mfile mlink msgsize multihop nametoolong netdown netreset
     netunreach nfile nobufs nodev noent noexec nolck nolink nomem nomsg
     noprotoopt nospc nosys notconn notdir notempty notrecoverable notsock notsup notty
     nxio overflow ownerdead perm pipe proto protonosupport prototype range rofs
     spipe srch stale timedout txtbsy xdev notcapable`,
  ),
  // 30 bits, five to a row: fd_datasync is bit 0 (value 1), path_open bit 13, sock_accept bit 29.
  rights: flagsOf(
    8,
    `fd_datasync fd_read fd_seek fd_fdstat_set_flags fd_sync
     fd_tell fd_write fd_advise fd_allocate path_create_directory
     path_create_file path_link_source path_link_target path_open fd_readdir
     path_readlink path_rename_source path_rename_target path_filestat_get path_filestat_set_size
     path_filestat_set_times fd_filestat_get fd_filestat_set_size fd_filestat_set_times path_symlink
     path_remove_directory path_unlink_file poll_fd_readwrite sock_shutdown sock_accept`,
  ),
  iovec: record(8, 4, { buf: [0, 4], buf_len: [4, 4] }),
  ciovec: record(8, 4, { buf: [0, 4], buf_len: [4, 4] }),
  whence: enumOf(1, "set cur end"),
  filetype: enumOf(
    1,
    "unknown block_device character_device directory regular_file socket_dgram socket_stream symbolic_link",
  ),
  dirent: record(24, 8, { d_next: [0, 8], d_ino: [8, 8], d_namlen: [16, 4], d_type: [20, 1] }),
  advice: enumOf(1, "normal sequential random willneed dontneed noreuse"),
  fdflags: flagsOf(2, "append dsync nonblock rsync sync"),
  fdstat: record(24, 8, {
    fs_filetype: [0, 1],
    fs_flags: [2, 2],
    fs_rights_base: [8, 8],
    fs_rights_inheriting: [16, 8],
  }),
  fstflags: flagsOf(2, "atim atim_now mtim mtim_now"),
  lookupflags: flagsOf(4, "symlink_follow"),
  oflags: flagsOf(2, "creat directory excl trunc"),
  filestat: record(64, 8, {
    dev: [0, 8],
    ino: [8, 8],
    filetype: [16, 1],
    nlink: [24, 8],
    size: [32, 8],
    atim: [40, 8],
    mtim: [48, 8],
    ctim: [56, 8],
  }),
  eventtype: enumOf(1, "clock fd_read fd_write"),
  eventrwflags: flagsOf(2, "fd_readwrite_hangup"),
  event_fd_readwrite: record(16, 8, { nbytes: [0, 8], flags: [8, 2] }),
  event: record(32, 8, {
    userdata: [0, 8],
    error: [8, 2],
    type: [10, 1],
    fd_readwrite: [16, 16],
    "fd_readwrite.nbytes": [16, 8],
    "fd_readwrite.flags": [24, 2],
  }),
  subclockflags: flagsOf(2, "subscription_clock_abstime"),
  subscription_clock: record(32, 8, { id: [0, 4], timeout: [8, 8], precision: [16, 8], flags: [24, 2] }),
  subscription_fd_readwrite: record(4, 4, { file_descriptor: [0, 4] }),
  subscription_u: union(40, 8, {
    $tag: [0, 1],
    clock: [8, 32],
    "clock.id": [8, 4],
    "clock.timeout": [16, 8],
    "clock.precision": [24, 8],
    "clock.flags": [32, 2],
    fd_read: [8, 4],
    "fd_read.file_descriptor": [8, 4],
    fd_write: [8, 4],
    "fd_write.file_descriptor": [8, 4],
  }),
  subscription: record(48, 8, {
    userdata: [0, 8],
    u: [8, 40],
    "u.$tag": [8, 1],
    "u.clock": [16, 32],
    "u.clock.id": [16, 4],
    "u.clock.timeout": [24, 8],
    "u.clock.precision": [32, 8],
    "u.clock.flags": [40, 2],
    "u.fd_read": [16, 4],
    "u.fd_read.file_descriptor": [16, 4],
    "u.fd_write": [16, 4],
    "u.fd_write.file_descriptor": [16, 4],
  }),
  signal: enumOf(
    1,
    `none hup int quit ill trap abrt bus fpe kill
     usr1 segv usr2 pipe alrm term chld cont stop tstp
     ttin ttou urg xcpu xfsz vtalrm prof winch poll pwr
     sys`,
  ),
  riflags: flagsOf(2, "recv_peek recv_waitall"),
  roflags: flagsOf(2, "recv_data_truncated"),
  sdflags: flagsOf(1, "rd wr"),
  preopentype: enumOf(1, "dir"),
  prestat_dir: record(4, 4, { pr_name_len: [0, 4] }),
  prestat: union(8, 4, { $tag: [0, 1], dir: [4, 4], "dir.pr_name_len": [4, 4] }),
} as const satisfies Record<string, TypeFacts>;

/**
 * preview0's types: preview1's, except whence (numbered cur, end, set), rights (no sock_accept), filestat (a u32
 * nlink) and the clock subscription (a u64 `identifier` first, so every offset after it moves by 8).
 */
const P0_TYPES = {
  ...P1_TYPES,
  rights: flagsOf(8, P1_TYPES.rights.bits.filter((b) => b !== "sock_accept").join(" ")),
  whence: enumOf(1, "cur end set"),
  filestat: record(56, 8, {
    dev: [0, 8],
    ino: [8, 8],
    filetype: [16, 1],
    nlink: [20, 4],
    size: [24, 8],
    atim: [32, 8],
    mtim: [40, 8],
    ctim: [48, 8],
  }),
  subscription_clock: record(40, 8, {
    identifier: [0, 8],
    id: [8, 4],
    timeout: [16, 8],
    precision: [24, 8],
    flags: [32, 2],
  }),
  subscription_u: union(48, 8, {
    $tag: [0, 1],
    clock: [8, 40],
    "clock.identifier": [8, 8],
    "clock.id": [16, 4],
    "clock.timeout": [24, 8],
    "clock.precision": [32, 8],
    "clock.flags": [40, 2],
    fd_read: [8, 4],
    "fd_read.file_descriptor": [8, 4],
    fd_write: [8, 4],
    "fd_write.file_descriptor": [8, 4],
  }),
  subscription: record(56, 8, {
    userdata: [0, 8],
    u: [8, 48],
    "u.$tag": [8, 1],
    "u.clock": [16, 40],
    "u.clock.identifier": [16, 8],
    "u.clock.id": [24, 4],
    "u.clock.timeout": [32, 8],
    "u.clock.precision": [40, 8],
    "u.clock.flags": [48, 2],
    "u.fd_read": [16, 4],
    "u.fd_read.file_descriptor": [16, 4],
    "u.fd_write": [16, 4],
    "u.fd_write.file_descriptor": [16, 4],
  }),
} as const satisfies Record<string, TypeFacts>;

/** preview1, with its types by name. */
export const PREVIEW1 = { module: "wasi_snapshot_preview1", functions: P1_FUNCTIONS, types: P1_TYPES } as const;
/** preview0, with its types by name. */
export const PREVIEW0 = { module: "wasi_unstable", functions: P0_FUNCTIONS, types: P0_TYPES } as const;
/** The whole table. */
export const ABI: AbiFacts = { preview1: PREVIEW1, preview0: PREVIEW0 };
