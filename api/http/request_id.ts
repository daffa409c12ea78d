/**
 * Request ids: random UUID v4 strings drawn from a pool of random bytes
 * refilled 256 ids at a time. `crypto.randomUUID()` costs an op call per
 * request in Deno; this keeps ids unguessable and standard at a fraction of
 * the cost on the hot path.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const IDS_PER_FILL = 256;

/** Returns a generator of random UUID v4 strings. */
export function createRequestIdGenerator(): () => string {
  const pool = new Uint8Array(16 * IDS_PER_FILL);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      crypto.getRandomValues(pool);
      offset = 0;
    }
    const b = pool.subarray(offset, offset + 16);
    offset += 16;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    return HEX[b[0]] + HEX[b[1]] + HEX[b[2]] + HEX[b[3]] + "-" + HEX[b[4]] + HEX[b[5]] + "-" +
      HEX[b[6]] + HEX[b[7]] + "-" + HEX[b[8]] + HEX[b[9]] + "-" + HEX[b[10]] + HEX[b[11]] +
      HEX[b[12]] + HEX[b[13]] + HEX[b[14]] + HEX[b[15]];
  };
}
