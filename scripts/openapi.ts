import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { openApiText } from '../src/platform/openapi'

/** npm run openapi: writes docs/openapi.json from the route table (a test fails when it is stale). */
const file = resolve(__dirname, '../docs/openapi.json')
writeFileSync(file, openApiText())
console.log(`Wrote ${file}`)
