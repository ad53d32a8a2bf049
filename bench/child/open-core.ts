/**
 * Child process of benchmark 3: opens a ledger the way the app does (openDatabase + new Core) and
 * asks the core for app-info and the day's order list. Prints one JSON line of timings, in ms since
 * this process started (performance.timeOrigin), and its resident memory.
 * Usage: node --import tsx bench/child/open-core.ts <ledger file> <business date> <PIN of first staff>
 */
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../../src/main/core/db/sqlite'
import { Core } from '../../src/main/core/service'

const [file, date, pin] = process.argv.slice(2)
if (!file || !date || !pin) throw new Error('usage: open-core.ts <ledger file> <business date> <pin>')

const loaded = performance.now()
const db = openDatabase(file)
const core = new Core({ db })
const opened = performance.now()
const info = core.handle({ channel: 'app-info', input: {} })
const answeredInfo = performance.now()
if (!info.ok) throw new Error(`app-info failed: ${JSON.stringify(info)}`)

// Signing in is a person typing a PIN (and a deliberate ~50 ms scrypt): timed apart, not counted.
const staff = core.handle({ channel: 'staff-list', input: {} })
if (!staff.ok) throw new Error('staff-list failed')
const first = (staff.value as { id: string }[])[0]
if (!first) throw new Error('no staff')
const session = core.handle({ channel: 'session-signin', input: { staffId: first.id, pin } })
if (!session.ok) throw new Error(`sign-in failed: ${JSON.stringify(session)}`)
const signedIn = performance.now()

const list = core.handle({ channel: 'order-list', input: { businessDate: date }, session: (session.value as { token: string }).token })
const answeredList = performance.now()
if (!list.ok) throw new Error(`order-list failed: ${JSON.stringify(list)}`)
const rss = process.memoryUsage().rss

process.stdout.write(
  `${JSON.stringify({
    loaded,
    openMs: opened - loaded,
    appInfoMs: answeredInfo - opened,
    signInMs: signedIn - answeredInfo,
    orderListMs: answeredList - signedIn,
    /** openDatabase start → app-info and order-list answered, sign-in excluded. */
    toAnswersMs: answeredList - loaded - (signedIn - answeredInfo),
    /** Process start → both answers, sign-in excluded. */
    sinceStartMs: answeredList - (signedIn - answeredInfo),
    orders: (list.value as unknown[]).length,
    rss,
  })}\n`,
)
db.close()
