import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

/** WCAG 2.2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const css = readFileSync(resolve(__dirname, 'styles.css'), 'utf8');
const variable = (name: string) => css.match(new RegExp(`--${name}: (#[0-9a-f]{6})`))?.[1] ?? '';

describe('colours (WCAG 2.2 AA: 4.5:1 for text)', () => {
  it.each([
    ['text', 'bg'],
    ['muted', 'bg'],
    ['muted', 'panel'],
    ['primary', 'bg'],
    ['primary-text', 'primary'],
    ['danger', 'bg'],
    ['ok', 'bg'],
    ['ok', 'panel'],
    ['caution', 'bg'],
    ['refer', 'bg'],
    ['text', 'panel'],
  ])('%s on %s', (text, background) => {
    expect(variable(text)).toMatch(/^#/);
    expect(contrast(variable(text), variable(background))).toBeGreaterThanOrEqual(4.5);
  });

  it('the danger button and the disabled button', () => {
    expect(contrast('#ffffff', variable('danger'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#4b5563', '#e5e7eb')).toBeGreaterThanOrEqual(4.5);
  });
});
