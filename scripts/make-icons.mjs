// Draws Switchboard's icons (a patch panel: 3×3 jacks, two patch cables) and writes
// public/icon-192.png, public/icon-512.png, public/icon-maskable-512.png and public/favicon.svg.
// No dependencies: shapes are signed-distance functions, supersampled, encoded with node:zlib.
//   node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BG = [0x15, 0x17, 0x1c];
const JACK = [0x5b, 0x63, 0x73];
const HOLE = [0x0b, 0x0c, 0x10];
const CABLES = [
  { color: [0x4f, 0x8c, 0xff], from: [0.28, 0.28], via: [0.5, 0.66], to: [0.72, 0.5] },
  { color: [0xff, 0xb5, 0x47], from: [0.5, 0.28], via: [0.5, 0.66], to: [0.28, 0.72] },
];
const GRID = [0.28, 0.5, 0.72];
const JACKS = GRID.flatMap((y) => GRID.map((x) => [x, y]));
const JACK_R = 0.052;
const HOLE_R = 0.022;
const CABLE_W = 0.036;
const PLUG_R = 0.06;
const CORNER = 0.22;

function bezier(p0, p1, p2, steps = 48) {
  const pts = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
    pts.push([a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]]);
  }
  return pts;
}
const cablePaths = CABLES.map((c) => ({ ...c, pts: bezier(c.from, c.via, c.to) }));

function segDist(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
const polyDist = (px, py, pts) => {
  let d = Infinity;
  for (let i = 1; i < pts.length; i++) d = Math.min(d, segDist(px, py, pts[i - 1], pts[i]));
  return d;
};
function roundedSquareInside(x, y, r) {
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  return Math.hypot(qx, qy) <= r;
}

/** Colour (RGBA, 0–255) of one sample point in unit coordinates. */
function sample(x, y, maskable) {
  if (!maskable && !roundedSquareInside(x, y, CORNER)) return [0, 0, 0, 0];
  let rgb = BG;
  for (const [jx, jy] of JACKS) {
    const d = Math.hypot(x - jx, y - jy);
    if (d <= HOLE_R) rgb = HOLE;
    else if (d <= JACK_R) rgb = JACK;
  }
  for (const cable of cablePaths) {
    if (polyDist(x, y, cable.pts) <= CABLE_W / 2) rgb = cable.color;
    for (const end of [cable.from, cable.to]) if (Math.hypot(x - end[0], y - end[1]) <= PLUG_R) rgb = cable.color;
  }
  return [...rgb, 255];
}

function render(size, maskable) {
  const SS = 3; // 3×3 samples per pixel
  const rgba = Buffer.alloc(size * size * 4);
  // The artwork stays inside the central safe-zone circle (radius 40%), so the maskable icon only
  // differs by its full-bleed background.
  const scale = 1;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = (px + (sx + 0.5) / SS) / size, v = (py + (sy + 0.5) / SS) / size;
          const c = sample(0.5 + (u - 0.5) * scale, 0.5 + (v - 0.5) * scale, maskable);
          acc[0] += c[0] * c[3]; acc[1] += c[1] * c[3]; acc[2] += c[2] * c[3]; acc[3] += c[3];
        }
      }
      const o = (py * size + px) * 4;
      const a = acc[3] / (SS * SS);
      rgba[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
      rgba[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
      rgba[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
      rgba[o + 3] = Math.round(a);
    }
  }
  return encodePng(size, size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const hex = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const n = (v) => +(v * 100).toFixed(2);
  const jacks = JACKS.map(([x, y]) => `<circle cx="${n(x)}" cy="${n(y)}" r="${n(JACK_R)}" fill="${hex(JACK)}"/><circle cx="${n(x)}" cy="${n(y)}" r="${n(HOLE_R)}" fill="${hex(HOLE)}"/>`).join('');
  const cables = CABLES.map(
    (c) =>
      `<path d="M${n(c.from[0])} ${n(c.from[1])}Q${n(c.via[0])} ${n(c.via[1])} ${n(c.to[0])} ${n(c.to[1])}" fill="none" stroke="${hex(c.color)}" stroke-width="${n(CABLE_W)}" stroke-linecap="round"/>` +
      [c.from, c.to].map(([x, y]) => `<circle cx="${n(x)}" cy="${n(y)}" r="${n(PLUG_R)}" fill="${hex(c.color)}"/>`).join(''),
  ).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="${n(CORNER)}" fill="${hex(BG)}"/>${jacks}${cables}</svg>\n`;
}

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), render(192, false));
writeFileSync(new URL('icon-512.png', out), render(512, false));
writeFileSync(new URL('icon-maskable-512.png', out), render(512, true));
writeFileSync(new URL('favicon.svg', out), svg());
console.log('icons written to public/');
