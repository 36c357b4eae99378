// Printing the benchmark's tables as Markdown (they go straight into issue notes).
//   printTable('Kernels, WASM under node', ['measure', 'AttnScope ms', ...], rows);
'use strict';

function cell(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

function printTable(title, header, rows) {
  const text = [header, ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, c) => Math.max(...text.map((r) => String(r[c]).length)));
  const line = (r) => '| ' + r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join(' | ') + ' |';
  console.log(`\n### ${title}\n`);
  console.log(line(text[0]));
  console.log('|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const r of text.slice(1)) console.log(line(r));
}

const MiB = 1024 * 1024;

module.exports = { printTable, cell, MiB };
