// Static files for the Deno.serve example: a file of a directory, whole or by one `Range: bytes=a-b`.

/** Answers `request` with the file `path` (URL-encoded, "/"-separated) of `dir`: 200, 206, 404 or 416. */
export async function serveTree(dir: string, path: string, request: Request): Promise<Response> {
  const parts = path.split("/").map((p) => decodeURIComponent(p));
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\"))) {
    return new Response("not found\n", { status: 404 });
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(`${dir}/${parts.join("/")}`, { read: true });
  } catch {
    return new Response("not found\n", { status: 404 });
  }
  try {
    const { size, isFile } = await file.stat();
    if (!isFile) return new Response("not found\n", { status: 404 });
    const m = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get("range") ?? "");
    const start = m === null ? 0 : Number(m[1]);
    const end = m === null || m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m !== null && (start >= size || end < start)) {
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    }
    const body = new Uint8Array(end - start + 1);
    await file.seek(start, Deno.SeekMode.Start);
    for (let at = 0; at < body.length;) {
      const n = await file.read(body.subarray(at));
      if (n === null) break;
      at += n;
    }
    const headers: Record<string, string> = { "accept-ranges": "bytes", "content-type": "application/octet-stream" };
    if (m !== null) headers["content-range"] = `bytes ${start}-${end}/${size}`;
    return new Response(body, { status: m === null ? 200 : 206, headers });
  } finally {
    file.close();
  }
}
