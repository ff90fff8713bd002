import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng } from './png';

/**
 * Draws the Teams app icons and writes them to teams/: a white warning sign with an exclamation mark
 * on the accent colour (color.png, 192×192), and the same sign in white on transparent (outline.png,
 * 32×32). Run `npx tsx scripts/teams-icons.ts` after changing a shape or the colour,
 * and commit the PNGs. teams/manifest.json's accentColor must stay equal to ACCENT_COLOR.
 */

export const ACCENT_COLOR = '#D13438';
export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

const TEAMS_DIR = path.resolve(__dirname, '..', 'teams');

type Point = readonly [number, number];
/** A shape as a test on a point in unit coordinates (0..1, y down). */
type Shape = (x: number, y: number) => boolean;

function segmentDistance([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Distance to the triangle's outline, negative inside. */
function triangleDistance(p: Point, a: Point, b: Point, c: Point): number {
  const edge = Math.min(segmentDistance(p, a, b), segmentDistance(p, b, c), segmentDistance(p, c, a));
  const side = (u: Point, v: Point) => (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  const inside = (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  return inside ? -edge : edge;
}

/** A triangle with corners rounded by `round`, optionally only its rim `stroke` wide. */
function warningTriangle(a: Point, b: Point, c: Point, round: number, stroke?: number): Shape {
  return (x, y) => {
    const d = triangleDistance([x, y], a, b, c);
    return d <= round && (stroke === undefined || d > round - stroke);
  };
}

/** An exclamation mark: a capsule from `top` to `barEnd`, and a dot. */
function exclamation(cx: number, top: number, barEnd: number, barRadius: number, dotY: number, dotRadius: number): Shape {
  return (x, y) => segmentDistance([x, y], [cx, top], [cx, barEnd]) <= barRadius || Math.hypot(x - cx, y - dotY) <= dotRadius;
}

/** The fraction of the pixel's `samples`² sample points the shape covers (anti-aliasing). */
function coverage(shape: Shape, px: number, py: number, size: number, samples: number): number {
  let hit = 0;
  for (let j = 0; j < samples; j++) {
    for (let i = 0; i < samples; i++) {
      if (shape((px + (i + 0.5) / samples) / size, (py + (j + 0.5) / samples) / size)) hit++;
    }
  }
  return hit / (samples * samples);
}

function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** 192×192 RGBA: full-bleed accent colour (Teams rounds the corners itself), a white sign, the mark in the accent colour. */
export function colorIconPixels(): Uint8Array {
  const size = COLOR_SIZE;
  const accent = hexToRgb(ACCENT_COLOR);
  // Kept inside the central ~120 px that Teams asks the symbol to stay within.
  const sign = warningTriangle([0.5, 0.26], [0.23, 0.73], [0.77, 0.73], 0.045);
  const mark = exclamation(0.5, 0.425, 0.58, 0.034, 0.668, 0.04);
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const white = coverage(sign, x, y, size, 4);
      const cut = coverage(mark, x, y, size, 4);
      const o = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) {
        const onSign = 255 * (1 - cut) + accent[k]! * cut;
        out[o + k] = Math.round(accent[k]! * (1 - white) + onSign * white);
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

/** 32×32 RGBA: the sign's rim and the mark in white, everything else fully transparent. */
export function outlineIconPixels(): Uint8Array {
  const size = OUTLINE_SIZE;
  const rim = warningTriangle([0.5, 0.13], [0.1, 0.83], [0.9, 0.83], 0.04, 0.1);
  const mark = exclamation(0.5, 0.4, 0.56, 0.048, 0.7, 0.058);
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const alpha = Math.min(1, coverage(rim, x, y, size, 8) + coverage(mark, x, y, size, 8));
      const o = (y * size + x) * 4;
      // White wherever anything is drawn; fully transparent (and black, by convention) elsewhere.
      const v = alpha > 0 ? 255 : 0;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

export function renderIcons(): { color: Buffer; outline: Buffer } {
  return {
    color: encodePng(COLOR_SIZE, COLOR_SIZE, colorIconPixels()),
    outline: encodePng(OUTLINE_SIZE, OUTLINE_SIZE, outlineIconPixels()),
  };
}

export function writeIcons(dir = TEAMS_DIR): string[] {
  const { color, outline } = renderIcons();
  const files = [path.join(dir, 'color.png'), path.join(dir, 'outline.png')];
  writeFileSync(files[0]!, color);
  writeFileSync(files[1]!, outline);
  return files;
}

if (require.main === module) {
  for (const file of writeIcons()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
