import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openApiText } from '../../src/platform/openapi'
import { PLATFORM_ERROR_STATUS, platformRoutes } from '../../src/shared/platform-api'
import { REPO } from '../helpers/tmp'

describe('docs/openapi.json', () => {
  const committed = readFileSync(join(REPO, 'docs/openapi.json'), 'utf8')

  it('is what npm run openapi generates from the route table now (run it after changing src/shared/platform-api.ts)', () => {
    expect(committed).toBe(openApiText())
  })

  it('every route lists internal, and every route with a body payload_too_large', () => {
    for (const [name, spec] of Object.entries(platformRoutes)) {
      expect(spec.errors, name).toContain('internal')
      if ('body' in spec && spec.body) expect(spec.errors, name).toContain('payload_too_large')
    }
  })

  it('is OpenAPI 3.1 with every route, its error codes and statuses, and the device signature scheme', () => {
    const doc = JSON.parse(committed)
    expect(doc.openapi).toBe('3.1.0')
    for (const [name, spec] of Object.entries(platformRoutes)) {
      const op = doc.paths[spec.path.replace(/:(\w+)/g, '{$1}')][spec.method.toLowerCase()]
      expect(op.operationId).toBe(name)
      expect(op['x-error-codes']).toEqual([...spec.errors])
      for (const code of spec.errors) expect(op.responses[String(PLATFORM_ERROR_STATUS[code])].description).toContain(code)
      if (spec.auth === 'device') expect(Object.keys(op.security[0])).toHaveLength(5)
      if (spec.auth === 'admin') expect(op.security).toEqual([{ adminToken: [] }])
    }
    expect(doc.components.securitySchemes.deviceSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-daybook-signature' })
  })

  it('documents the data of every event type the platform normalizes, the ledger events included', () => {
    const doc = JSON.parse(committed)
    for (const type of ['sale.completed', 'refund.completed', 'checkout.voided', 'shift.opened', 'shift.taken_over', 'cash.moved', 'shift.closed', 'day.closed']) {
      const ref = doc['x-event-types'][type].$ref as string
      expect(doc.components.schemas[ref.split('/').pop()!].type, type).toBe('object')
    }
    const closure = doc.components.schemas.DayClosedData
    expect(closure.required).toEqual(expect.arrayContaining(['closureId', 'number', 'firstSeq', 'lastSeq', 'lastHash', 'figures', 'periodTotal', 'previousGrandTotal', 'grandTotal']))
    expect(doc.paths['/v1/admin/stores/{storeId}/closures'].get.parameters.map((x: { name: string }) => x.name)).toEqual(['storeId', 'from', 'to', 'deviceId', 'position', 'waitMs'])
  })
})
