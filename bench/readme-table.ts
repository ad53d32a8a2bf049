/**
 * `npm run bench:table [file]`: prints the README's benchmark table from a run's JSON (default
 * bench/results/latest.json, the last full run), so the table is that run's output, not retyped.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { markdownTable, type Report } from './lib/results'

const file = process.argv[2] ?? join(resolve(__dirname, '..'), 'bench', 'results', 'latest.json')
const report = JSON.parse(readFileSync(file, 'utf8')) as Report
if (report.mode !== 'full') {
  console.error(`${file} is a ${report.mode} run: its figures are not results.`)
  process.exit(1)
}
console.log(markdownTable(report))
