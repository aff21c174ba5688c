#!/usr/bin/env node
// Draws the add-in's icons (a white "C" arc over a blue rounded square, with a ledger tick)
// and writes them as PNG files next to this script: `node assets/make-icons.mjs`.
// Hand-rolled on purpose: an icon is a few shapes, and a PNG is a zlib stream plus CRCs,
// so no image library is needed and the output is byte-for-byte reproducible.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZES = [16, 20, 24, 32, 40, 48, 64, 80, 128];
const BLUE = [21, 94, 168];
const WHITE = [255, 255, 255];
const SAMPLES = 4; // 4x4 supersampling per pixel gives smooth edges even at 16 px

/** Coverage of each shape at a point in the unit square [0,1]². */
function roundedSquare(x, y) {
  const r = 0.2;
  const dx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  return dx * dx + dy * dy <= r * r;
}
function letterC(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const d = Math.hypot(dx, dy);
  const angle = Math.atan2(dy, dx); // 0 = pointing right: the opening of the C
  return d >= 0.2 && d <= 0.33 && Math.abs(angle) > 0.75;
}
function tick(x, y) {
  // a short horizontal bar inside the C: the "ledger line"
  return x >= 0.47 && x <= 0.78 && Math.abs(y - 0.5) <= 0.06;
}

function pixel(size, px, py) {
  let bg = 0;
  let fg = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = (px + (sx + 0.5) / SAMPLES) / size;
      const y = (py + (sy + 0.5) / SAMPLES) / size;
      if (!roundedSquare(x, y)) continue;
      bg++;
      if (letterC(x, y) || tick(x, y)) fg++;
    }
  }
  const n = SAMPLES * SAMPLES;
  const alpha = bg / n;
  if (bg === 0) return [0, 0, 0, 0];
  const f = fg / bg;
  const rgb = BLUE.map((c, i) => Math.round(c * (1 - f) + WHITE[i] * f));
  return [...rgb, Math.round(alpha * 255)];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const p = pixel(size, x, y);
      p.forEach((v, i) => (raw[y * (size * 4 + 1) + 1 + x * 4 + i] = v));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const here = dirname(fileURLToPath(import.meta.url));
for (const size of SIZES) {
  const file = join(here, `icon-${size}.png`);
  writeFileSync(file, encodePng(size));
  process.stdout.write(`wrote ${file}\n`);
}
