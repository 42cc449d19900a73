// Extracts named entries from a zip archive with Node's zlib only, so a fresh machine needs no unzip binary.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const [archive, outDir, ...wanted] = process.argv.slice(2);
if (!archive || !outDir || wanted.length === 0) {
  console.error('usage: unzip-entries.mjs ARCHIVE OUTDIR ENTRY...');
  process.exit(2);
}
const buf = readFileSync(archive);
// The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
let eocd = -1;
for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
  if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
}
if (eocd < 0) { console.error(`${archive}: not a zip archive`); process.exit(1); }
const entries = buf.readUInt16LE(eocd + 10);
let p = buf.readUInt32LE(eocd + 16);
const found = new Set();
mkdirSync(outDir, { recursive: true });
for (let n = 0; n < entries; n++) {
  if (buf.readUInt32LE(p) !== 0x02014b50) { console.error('corrupt central directory'); process.exit(1); }
  const method = buf.readUInt16LE(p + 10);
  const compSize = buf.readUInt32LE(p + 20);
  const nameLen = buf.readUInt16LE(p + 28);
  const extraLen = buf.readUInt16LE(p + 30);
  const commentLen = buf.readUInt16LE(p + 32);
  const localOff = buf.readUInt32LE(p + 42);
  const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
  p += 46 + nameLen + extraLen + commentLen;
  if (!wanted.includes(name)) continue;
  const lNameLen = buf.readUInt16LE(localOff + 26);
  const lExtraLen = buf.readUInt16LE(localOff + 28);
  const start = localOff + 30 + lNameLen + lExtraLen;
  const data = buf.subarray(start, start + compSize);
  const out = method === 0 ? data : method === 8 ? inflateRawSync(data) : null;
  if (!out) { console.error(`${name}: unsupported compression ${method}`); process.exit(1); }
  writeFileSync(join(outDir, basename(name)), out, { mode: 0o755 });
  found.add(name);
}
const missing = wanted.filter((w) => !found.has(w));
if (missing.length) { console.error(`missing in archive: ${missing.join(', ')}`); process.exit(1); }
