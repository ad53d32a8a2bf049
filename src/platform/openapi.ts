import { z } from 'zod'
import {
  API_VERSION,
  BODY_LIMIT_BYTES,
  EVENT_DATA_SCHEMAS,
  MAX_CLOCK_SKEW_MS,
  PLATFORM_ERROR_STATUS,
  PROJECTION_LAG_HEADERS,
  PROJECTION_WAIT_MAX_MS,
  PlatformErrorSchema,
  SIGNATURE_HEADERS,
  platformRoutes,
  type PlatformErrorCode,
  type RouteSpec,
} from '../shared/platform-api'

/**
 * The OpenAPI 3.1 document of /v1, generated from the route table with zod's own JSON Schema
 * (draft 2020-12, OpenAPI 3.1's dialect): request schemas as the client may send them (io 'input'),
 * responses as the platform answers (io 'output'). Keys are sorted, so the text is stable.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, Json> {
  const js = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, Json>
  delete js.$schema
  return js
}

const HEADER_DOC: Record<keyof typeof SIGNATURE_HEADERS, string> = {
  device: 'The device id returned by POST /v1/pair.',
  timestamp: `Unix time of the request in milliseconds; refused (clock_skew) when more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes from the platform clock.`,
  nonce: '16–64 characters [A-Za-z0-9_-], never reused by the device (nonce_replayed).',
  digest: 'Lowercase hex SHA-256 of the exact body bytes (of the empty string without a body).',
  signature:
    'Lowercase hex HMAC-SHA256, keyed with the device secret (base64url-decoded), of the signing string: method, path with query as sent, timestamp, nonce and body digest, joined by \\n.',
}

const SCHEME_NAME = (k: string): string => `device${k[0]!.toUpperCase()}${k.slice(1)}`

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k]!)]),
    )
  }
  return v
}

function parameters(s: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!s) return []
  const js = schema(s, 'input')
  const props = (js.properties ?? {}) as Record<string, Json>
  const required = new Set((js.required ?? []) as string[])
  return Object.entries(props).map(([name, p]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: p }))
}

/** 'shift.taken_over' → 'ShiftTakenOverData'. */
export const eventSchemaName = (type: string): string => `${type.split(/[._-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}Data`

export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const [name, spec] of Object.entries(platformRoutes) as [string, RouteSpec][]) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}')
    // The reads of the reporting tables wait for the projection and say the lag left (platform-api.ts).
    const waits = parameters(spec.query, 'query').some((q) => (q as { name: string }).name === 'position')
    const responses: Record<string, Json> = {
      [String(spec.status ?? 200)]: {
        description: waits
          ? `Success, from the reporting tables once the projection reached the position asked for (default: every event stored when the request came), or after waitMs (at most ${PROJECTION_WAIT_MAX_MS} ms) with what they hold.`
          : 'Success',
        ...(waits
          ? {
              headers: {
                [PROJECTION_LAG_HEADERS.events]: { description: 'Events stored but not yet in the reporting tables when it answered (0: none).', schema: { type: 'integer' } },
                [PROJECTION_LAG_HEADERS.ms]: { description: 'How long the oldest of them had been waiting, in ms (0: none).', schema: { type: 'integer' } },
              },
            }
          : {}),
        content: { 'application/json': { schema: schema(spec.response, 'output') } },
      },
    }
    const byStatus = new Map<number, PlatformErrorCode[]>()
    for (const code of spec.errors) byStatus.set(PLATFORM_ERROR_STATUS[code], [...(byStatus.get(PLATFORM_ERROR_STATUS[code]) ?? []), code])
    byStatus.set(500, ['internal'])
    for (const [status, codes] of byStatus) {
      responses[String(status)] = {
        description: `Error: ${codes.join(', ')}`,
        ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } } : {}),
        content: {
          'application/json': {
            schema: {
              allOf: [{ $ref: '#/components/schemas/PlatformError' }, { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }],
            },
          },
        },
      }
    }
    const op: Record<string, Json> = {
      operationId: name,
      summary: spec.summary,
      tags: [spec.auth === 'admin' ? 'admin' : spec.auth === 'device' ? 'device' : 'public'],
      'x-error-codes': [...spec.errors],
      parameters: [
        ...parameters(spec.params, 'path'),
        ...parameters(spec.query, 'query'),
        ...(spec.auth === 'device' ? Object.keys(SIGNATURE_HEADERS).map((k) => ({ $ref: `#/components/parameters/${SCHEME_NAME(k)}` })) : []),
      ],
      responses,
      security:
        spec.auth === 'admin'
          ? [{ adminToken: [] }]
          : spec.auth === 'device'
            ? [Object.fromEntries(Object.keys(SIGNATURE_HEADERS).map((k) => [SCHEME_NAME(k), []]))]
            : [],
    }
    if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: schema(spec.body, 'input') } } }
    paths[path] = { ...(paths[path] ?? {}), [spec.method.toLowerCase()]: op }
  }

  const deviceSchemes = Object.fromEntries(
    (Object.entries(SIGNATURE_HEADERS) as [keyof typeof SIGNATURE_HEADERS, string][]).map(([k, header]) => [
      SCHEME_NAME(k),
      { type: 'apiKey', in: 'header', name: header, description: HEADER_DOC[k] },
    ]),
  )
  const deviceParams = Object.fromEntries(
    (Object.entries(SIGNATURE_HEADERS) as [keyof typeof SIGNATURE_HEADERS, string][]).map(([k, header]) => [
      SCHEME_NAME(k),
      { name: header, in: 'header', required: true, description: HEADER_DOC[k], schema: { type: 'string' } },
    ]),
  )
  return sortKeys({
    openapi: '3.1.0',
    info: {
      title: 'Daybook platform API',
      version: API_VERSION,
      description: `The till↔platform contract (src/shared/platform-api.ts). Amounts are integer minor units plus an ISO 4217 currency. Every error is { error: { code, message, details? } } with a stable code; bodies over ${BODY_LIMIT_BYTES} bytes are refused (payload_too_large).`,
    },
    servers: [{ url: 'http://127.0.0.1:4320' }],
    tags: [
      { name: 'public', description: 'No authentication (pairing is rate-limited per IP).' },
      { name: 'admin', description: 'Authorization: Bearer <admin token>.' },
      { name: 'device', description: 'Signed with the device secret (all five x-daybook-* headers).' },
    ],
    paths,
    // events-ingest: the schema of each normalized event type's `data` (other types are stored as they came).
    'x-event-types': Object.fromEntries(Object.keys(EVENT_DATA_SCHEMAS).map((type) => [type, { $ref: `#/components/schemas/${eventSchemaName(type)}` }])),
    components: {
      schemas: {
        PlatformError: schema(PlatformErrorSchema, 'output'),
        // The `data` of the event types the platform normalizes (as the till sends it).
        ...Object.fromEntries(Object.entries(EVENT_DATA_SCHEMAS).map(([type, s]) => [eventSchemaName(type), { ...schema(s, 'input'), description: `The data of a ${type} event.` }])),
      },
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (the platform prints where it is kept).' }, ...deviceSchemes },
      parameters: deviceParams,
    },
  })
}

export function openApiText(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`
}
