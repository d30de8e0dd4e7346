/**
 * netascii (RFC 764 via RFC 1350): on the wire, end of line is CR LF and a bare CR is
 * CR NUL. Local data is Unix text (LF line ends). Both directions are streaming and keep
 * state across block boundaries.
 */
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** Wire length of `data` once encoded. */
export function netasciiEncodedLength(data: Uint8Array): number {
  let extra = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === LF || c === CR) extra++;
  }
  return data.length + extra;
}

/** Local → wire. Stateless per byte, so chunks can be encoded independently. */
export function netasciiEncode(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(netasciiEncodedLength(data));
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (c === CR) {
      out[o++] = CR;
      out[o++] = NUL;
    } else {
      out[o++] = c;
    }
  }
  return out;
}

/** Wire → local, streaming: a CR at the end of one block pairs with the next block. */
export class NetasciiDecoder {
  private pendingCr = false;

  push(chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let o = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.length === 0) {
        this.pendingCr = true;
        return out.subarray(0, 0);
      }
      const c = chunk[0]!;
      if (c === LF) {
        out[o++] = LF;
        i = 1;
      } else if (c === NUL) {
        out[o++] = CR;
        i = 1;
      } else {
        out[o++] = CR;
      }
    }
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c !== CR) {
        out[o++] = c;
        continue;
      }
      if (i + 1 === chunk.length) {
        this.pendingCr = true;
        break;
      }
      const n = chunk[i + 1]!;
      if (n === LF) {
        out[o++] = LF;
        i++;
      } else if (n === NUL) {
        out[o++] = CR;
        i++;
      } else {
        out[o++] = CR;
      }
    }
    return out.subarray(0, o);
  }

  /** Flushes a trailing lone CR at end of transfer. */
  end(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    return Buffer.from([CR]);
  }
}

export function netasciiDecode(data: Uint8Array): Buffer {
  const d = new NetasciiDecoder();
  return Buffer.concat([d.push(data), d.end()]);
}
