// Checks a raw DEFLATE stream (RFC 1951) as strictly as the CLI's inflater
// (miniz_oxide) does, without writing the output: only its length is kept.
// Inflaters differ in what they tolerate (stored-block lengths, Huffman
// tables that are incomplete or over-subscribed, bad length repeats, bytes
// after the final block); running this first makes a link that the CLI
// refuses refused on the page too, with the same kind of message, so the two
// link decoders agree on every input. Used by www/link.js, which then lets
// the browser's own inflater unpack exactly the bytes checked here.

/** Thrown inside the walk: 'cut_short', 'damaged' or 'too_large'. */
class Stop {
  constructor(kind) {
    this.kind = kind;
  }
}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which a dynamic block lists the code-length code's lengths. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code from code lengths: `counts[len]` codes of each
 * length and the symbols in code order. `complete` tells whether every bit
 * pattern is a code; like miniz_oxide, an incomplete code is only allowed
 * where `partialOk` and no code is longer than one bit, and an
 * over-subscribed one never. Returns null when the lengths are refused.
 */
function huffman(lengths, partialOk) {
  const counts = new Uint16Array(16);
  for (const len of lengths) counts[len]++;
  let left = 1;
  let maxLen = 0;
  for (let len = 1; len < 16; len++) {
    left = left * 2 - counts[len];
    if (left < 0) return null;
    if (counts[len]) maxLen = len;
  }
  const complete = left === 0;
  if (!complete && (!partialOk || maxLen > 1)) return null;
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((len, sym) => {
    if (len) symbols[offsets[len]++] = sym;
  });
  return { counts, symbols, complete };
}

const FIXED_LITLEN = huffman(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)), false);
const FIXED_DIST = huffman(new Array(32).fill(5), false);

/**
 * Walks `bytes` as a raw DEFLATE stream whose output may be at most `limit`
 * bytes. Returns `{ length, consumed }` (the output length and how many
 * input bytes the stream took) or `{ error }` with the kind miniz_oxide's
 * answer maps to: 'cut_short' (the input ends first), 'damaged' (anything
 * invalid) or 'too_large' (the output passes the limit first). Trailing
 * bytes after the final block are ignored, as there.
 */
export function checkDeflate(bytes, limit) {
  const totalBits = bytes.length * 8;
  let pos = 0;
  let out = 0;
  const bit = () => {
    if (pos >= totalBits) throw new Stop('cut_short');
    const b = (bytes[pos >>> 3] >>> (pos & 7)) & 1;
    pos++;
    return b;
  };
  const bits = (n) => {
    let v = 0;
    for (let i = 0; i < n; i++) v |= bit() << i;
    return v;
  };
  const decode = (h) => {
    if (!h.complete) {
      // No code is longer than one bit: one bit decides, as in miniz_oxide.
      const b = bit();
      if (b < h.counts[1]) return h.symbols[b];
      throw new Stop('damaged');
    }
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bit();
      const count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Stop('damaged');
  };
  const dynamicTables = () => {
    const nLit = bits(5) + 257;
    const nDist = bits(5) + 1;
    const nCode = bits(4) + 4;
    if (nLit > 286 || nDist > 30) throw new Stop('damaged');
    const codeLengths = new Array(19).fill(0);
    for (let i = 0; i < nCode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = bits(3);
    const lengthCode = huffman(codeLengths, false);
    if (!lengthCode) throw new Stop('damaged');
    const total = nLit + nDist;
    const lengths = new Array(total).fill(0);
    let n = 0;
    while (n < total) {
      const sym = decode(lengthCode);
      if (sym < 16) {
        lengths[n++] = sym;
        continue;
      }
      if (sym === 16 && n === 0) throw new Stop('damaged');
      const repeat = sym === 16 ? 3 + bits(2) : sym === 17 ? 3 + bits(3) : 11 + bits(7);
      const value = sym === 16 ? lengths[n - 1] : 0;
      for (let i = 0; i < repeat; i++, n++) if (n < total) lengths[n] = value;
    }
    if (n !== total) throw new Stop('damaged');
    const dist = huffman(lengths.slice(nLit), true);
    const litlen = huffman(lengths.slice(0, nLit), true);
    if (!dist || !litlen) throw new Stop('damaged');
    return [litlen, dist];
  };
  try {
    for (let final = 0; !final;) {
      final = bit();
      const type = bits(2);
      if (type === 3) throw new Stop('damaged');
      if (type === 0) {
        pos = (pos + 7) & ~7;
        const header = bits(32);
        const len = header & 0xffff;
        if (len !== (~header >>> 16 & 0xffff)) throw new Stop('damaged');
        const available = (totalBits - pos) >>> 3;
        if (out + len > limit) throw new Stop(available >= limit - out ? 'too_large' : 'cut_short');
        if (available < len) throw new Stop('cut_short');
        out += len;
        pos += len * 8;
        continue;
      }
      const [litlen, dist] = type === 1 ? [FIXED_LITLEN, FIXED_DIST] : dynamicTables();
      for (;;) {
        const sym = decode(litlen);
        if (sym < 256) {
          if (out >= limit) throw new Stop('too_large');
          out++;
        } else if (sym === 256) {
          break;
        } else {
          if (sym > 285) throw new Stop('damaged');
          const length = LENGTH_BASE[sym - 257] + bits(LENGTH_EXTRA[sym - 257]);
          const d = decode(dist);
          if (d > 29) throw new Stop('damaged');
          const distance = DIST_BASE[d] + bits(DIST_EXTRA[d]);
          if (distance > out) throw new Stop('damaged');
          if (out + length > limit) throw new Stop('too_large');
          out += length;
        }
      }
    }
  } catch (e) {
    if (e instanceof Stop) return { error: e.kind };
    throw e;
  }
  return { length: out, consumed: Math.ceil(pos / 8) };
}
