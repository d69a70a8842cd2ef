// readOnly(fs): a decorator that refuses every mutation with ROFS and passes reads through.

import { Errno } from "../abi/errno.ts";
import type { Whence } from "../abi/consts.ts";
import type { DirentSink, FileHandle, FileSystem, IoResult, OpenFlags, Stat } from "./types.ts";

/**
 * `fs` made read-only: mkdir, rmdir, unlink, rename, link, symlink, utimes, and `open` asking to write, create,
 * truncate or append answer ROFS; so do `write`, `truncate`, `utimes` and `setAppend(true)` on the handles it
 * opens. Reads, stat, readlink, seek, readdir, sync and close pass through.
 *
 * @example Share one seeded tree read-only
 * ```ts
 * import { Errno, type FileSystem, MemoryFs, readOnly } from "@hostcall/wasi";
 * const tree: MemoryFs = new MemoryFs();
 * tree.files.writeFile("/etc/motd", "hi\n");
 * const fs: FileSystem = readOnly(tree); // give it to as many guests as you like
 * console.log(fs.mkdir("x") === Errno.ROFS); // true
 * ```
 */
export function readOnly(fs: FileSystem): FileSystem {
  return new ReadOnlyFs(fs);
}

class ReadOnlyFs implements FileSystem {
  readonly #fs: FileSystem;

  constructor(fs: FileSystem) {
    this.#fs = fs;
  }

  open(path: string, flags: OpenFlags): FileHandle | Errno {
    if (flags.write || flags.create || flags.truncate || flags.append) return Errno.ROFS;
    const h = this.#fs.open(path, flags);
    return typeof h === "number" ? h : new ReadOnlyHandle(h);
  }

  stat(path: string, out: Stat, follow: boolean): Errno {
    return this.#fs.stat(path, out, follow);
  }

  mkdir(_path: string): Errno {
    return Errno.ROFS;
  }

  rmdir(_path: string): Errno {
    return Errno.ROFS;
  }

  unlink(_path: string): Errno {
    return Errno.ROFS;
  }

  rename(_from: string, _to: string): Errno {
    return Errno.ROFS;
  }

  link(_from: string, _to: string): Errno {
    return Errno.ROFS;
  }

  symlink(_target: string, _path: string): Errno {
    return Errno.ROFS;
  }

  readlink(path: string): string | Errno {
    return this.#fs.readlink(path);
  }

  utimes(_path: string, _atimNs: bigint | null, _mtimNs: bigint | null, _follow: boolean): Errno {
    return Errno.ROFS;
  }
}

class ReadOnlyHandle implements FileHandle {
  readonly #h: FileHandle;

  constructor(h: FileHandle) {
    this.#h = h;
  }

  read(dst: Uint8Array, pos?: number): IoResult {
    return this.#h.read(dst, pos);
  }

  write(_src: Uint8Array, _pos?: number): IoResult {
    return -Errno.ROFS;
  }

  seek(offset: number, whence: Whence): IoResult {
    return this.#h.seek(offset, whence);
  }

  stat(out: Stat): Errno {
    return this.#h.stat(out);
  }

  truncate(_size: number): Errno {
    return Errno.ROFS;
  }

  sync(): Errno {
    return this.#h.sync();
  }

  datasync(): Errno {
    return this.#h.datasync();
  }

  close(): Errno {
    return this.#h.close();
  }

  readdir(cookie: bigint, out: DirentSink): Errno {
    return this.#h.readdir(cookie, out);
  }

  setAppend(on: boolean): Errno {
    return on ? Errno.ROFS : this.#h.setAppend(false);
  }

  utimes(_atimNs: bigint | null, _mtimNs: bigint | null): Errno {
    return Errno.ROFS;
  }
}
