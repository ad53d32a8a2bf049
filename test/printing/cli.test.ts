import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createNetworkPrinter } from '../../src/main/core/printing/escpos-network'
import { encodeDoc } from '../../src/main/core/printing/escpos'
import { DocBuilder } from '../../src/main/core/printing/layout'
import { REPO, tempDir } from '../helpers/tmp'

/** `npm run printer-sim`: its one start line, the control server, and the files of each job. */
describe('printer-sim on the command line', () => {
  it('prints where it listens, takes a job into NNNN.txt/.png/.json, and follows POST /mode', async () => {
    const out = tempDir('daybook-printer-sim-')
    const child = spawn(process.execPath, [join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'src/platform/printer-sim/cli.ts', '--port', '0', '--out', out, '--width', '58'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = ''
        const timer = setTimeout(() => reject(new Error(`no start line: ${buf}`)), 20_000)
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString()
          if (buf.includes('\n')) {
            clearTimeout(timer)
            resolve(buf.split('\n')[0]!)
          }
        })
        child.on('exit', (code) => reject(new Error(`printer-sim exited ${code}`)))
      })
      const m = /^printer-sim listening on 127\.0\.0\.1:(\d+); control http:\/\/127\.0\.0\.1:(\d+); out (.+)$/.exec(line)
      expect(m, line).not.toBeNull()
      const [port, control, dir] = [Number(m![1]), Number(m![2]), m![3]!]
      expect(dir).toBe(out)
      const doc = new DocBuilder(32).center('日记本便利店', { big: true }).row('合计', '¥2.00').qr('T01-20261122-0001').doc()
      const printer = createNetworkPrinter({ host: '127.0.0.1', port })
      expect(await printer.send(encodeDoc(doc, { paperWidth: 58, codePage: 'gb18030', drawerPin: 2, drawer: true }))).toEqual({ ok: true })
      // files are written when the connection has closed: bounded wait
      const deadline = Date.now() + 10_000
      while (!existsSync(join(out, '0001.png')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
      expect(readFileSync(join(out, '0001.txt'), 'utf8')).toBe(['  日记本便利店', '合计                       ¥2.00', '[QR T01-20261122-0001]', '~~~~~~~~ cut ~~~~~~~~', '[drawer kick: pin 2]', ''].join('\n'))
      expect(JSON.parse(readFileSync(join(out, '0001.json'), 'utf8'))).toMatchObject({ n: 1, drawerKicks: 1, cuts: 1, qr: ['T01-20261122-0001'], width: 58, codePage: 'gb18030' })
      expect(readFileSync(join(out, '0001.png')).subarray(1, 4).toString()).toBe('PNG')
      const jobs = (await (await fetch(`http://127.0.0.1:${control}/jobs`)).json()) as { n: number; drawerKicks: number }[]
      expect(jobs).toMatchObject([{ n: 1, drawerKicks: 1 }])
      const bad = await fetch(`http://127.0.0.1:${control}/mode`, { method: 'POST', body: JSON.stringify({ mode: 'on fire' }) })
      expect(bad.status).toBe(400)
      const set = await fetch(`http://127.0.0.1:${control}/mode`, { method: 'POST', body: JSON.stringify({ mode: 'paper_out' }) })
      expect(set.status).toBe(200)
      expect(await printer.send(Uint8Array.from([0x41, 0x0a]))).toMatchObject({ ok: false, code: 'paper_out' })
    } finally {
      child.kill('SIGTERM')
    }
  }, 40_000)
})
