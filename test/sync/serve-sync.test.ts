import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCore } from '../../src/main/core/open-core'
import { EncryptedFileSecretStore } from '../../src/main/core/sync/secret-store'
import type { SyncStatus } from '../../src/shared/contract'
import { newId } from '../../src/shared/ids'
import { adminCall, createStoreAndDevice, PLATFORM_BACKENDS, startTestPlatform } from '../helpers/platform'
import { call, openShift, REPO, RESOURCES, signIn, tempDir } from '../helpers/tmp'
import { until } from './helpers'

describe('npm run serve with a paired ledger', () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>
  beforeAll(async () => {
    platform = await startTestPlatform(PLATFORM_BACKENDS[0]!)
  })
  afterAll(async () => {
    await platform?.close()
  })

  it('syncs what waited offline as soon as it starts, and prints no secret', async () => {
    const dir = tempDir()
    const { storeId, deviceId, code } = await createStoreAndDevice(platform, 'Serve Mart')
    // Pair, then let a shift's opening and three sales wait with the relay stopped (the till was offline when it closed).
    const { core } = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES })
    const owner = signIn(core, 'Wang Fang', '9999')
    expect(await core.invoke({ channel: 'sync-pair', input: { platformUrl: platform.url, code }, session: owner })).toMatchObject({ ok: true })
    await core.sync.stop()
    openShift(core, owner)
    for (let i = 0; i < 3; i++) {
      expect(core.handle({ channel: 'sale-complete', input: { saleId: newId(), cart: { lines: [{ productId: 'p1001', quantity: '1' }] }, cashTendered: 500 }, session: owner }).ok).toBe(true)
    }
    expect(call<SyncStatus>(core, 'sync-status', {}, owner).pending).toBe(4)
    await core.close()
    const secret = new EncryptedFileSecretStore(dir).get()!
    expect(secret).toBeTruthy()

    const renderer = tempDir('renderer-')
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Daybook</title>')
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/main/serve/cli.ts', '--port', '0', '--data', dir, '--renderer', renderer, '--platform-timeout', '5'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output: string[] = []
    createInterface({ input: child.stdout! }).on('line', (l) => output.push(l))
    createInterface({ input: child.stderr! }).on('line', (l) => output.push(l))
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
    try {
      await until(() => output.some((l) => l.startsWith('http://127.0.0.1:')), 30_000, 'serve to print its link')
      expect(output.join('\n')).toContain(`Syncing with ${platform.url} (store Serve Mart); 4 events pending`)
      await until(async () => {
        const r = await adminCall(platform, 'GET', `/v1/admin/stores/${storeId}/devices`)
        return (r.body as { devices: { id: string; lastSeq: number }[] }).devices.find((d) => d.id === deviceId)?.lastSeq === 4
      }, 20_000, 'the platform to hold the shift and the three sales')
    } finally {
      child.kill('SIGTERM')
      await exited
    }
    expect(output.join('\n')).not.toContain(secret)
    // The outbox of the ledger serve wrote: all acknowledged.
    const again = openCore({ dataDir: dir, demo: true, resourcesDir: RESOURCES, startSync: false }).core
    expect(again.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get()).toEqual({ n: 0 })
    await again.close()
  }, 60_000)
})
