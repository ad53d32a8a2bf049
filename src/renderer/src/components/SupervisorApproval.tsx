import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorData } from '../../../shared/errors'
import { invoke } from '../api'
import { useFormat } from '../lib/format'
import { useApp } from '../store'
import { ErrorNote } from './ErrorNote'
import { PinPad } from './PinPad'
import { StaffTile } from './StaffTile'

/**
 * Who approves and their PIN: the active supervisors and the owner as tiles (the signed-in one
 * first chosen if they may approve), then a PIN pad. `grant` asks the core and answers with its
 * error, or null once approved. Used for discounts, refunds and voids.
 */
export function SupervisorPin({ grant }: { grant: (staffId: string, pin: string) => Promise<ErrorData | null> }) {
  const { t } = useTranslation()
  const staffList = useApp((s) => s.staffList)
  const session = useApp((s) => s.session)
  const approvers = staffList.filter((s) => s.active && (s.role === 'supervisor' || s.role === 'owner'))
  const [chosen, setChosen] = useState<string | null>(() => {
    const me = session?.staff
    if (me && (me.role === 'supervisor' || me.role === 'owner')) return me.id
    return approvers.length === 1 ? (approvers[0]?.id ?? null) : null
  })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const person = approvers.find((a) => a.id === chosen) ?? null

  const submit = async (pin: string) => {
    if (!person) return
    setBusy(true)
    setError(null)
    const err = await grant(person.id, pin)
    setBusy(false)
    if (err) setError(err)
  }

  return (
    <>
      {approvers.length === 0 ? <p className="field-error">{t('approval.noSupervisor')}</p> : null}
      <div className="approval-body">
        <div className="approvers">
          <span className="field-label">{t('approval.chooseSupervisor')}</span>
          {approvers.map((a) => (
            <StaffTile
              key={a.id}
              staff={a}
              size="small"
              active={a.id === chosen}
              testId={`approver-${a.id}`}
              onPick={() => {
                setChosen(a.id)
                setError(null)
              }}
            />
          ))}
        </div>
        {person ? (
          <PinPad
            key={person.id}
            label={t('signin.pinFor', { name: person.name })}
            enterLabel={t('approval.approve')}
            busy={busy}
            onSubmit={(pin) => void submit(pin)}
            error={error ? <ErrorNote error={error} testId="approval-error" /> : null}
          />
        ) : null}
      </div>
    </>
  )
}

/**
 * A supervisor (or the owner) approves a refund, a void, a cash movement or a drawer over/short
 * beyond the store limit with their PIN. The approval covers this amount and no more; the caller
 * retries its action with the id.
 */
export function SupervisorApproval({
  reason,
  amount,
  currency,
  onApproved,
  why,
}: {
  reason: 'refund' | 'void' | 'cash_movement' | 'over_short'
  amount: number
  currency: string
  onApproved: (approvalId: string, supervisorName: string) => void
  /** What the supervisor is asked, when the caller says it better than the store limit does. */
  why?: string
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const limit = useApp((s) =>
    !s.settings ? null : reason === 'cash_movement' ? s.settings.cashMovementApprovalLimit : reason === 'over_short' ? s.settings.overShortThreshold : s.settings.refundApprovalLimit,
  )
  const grant = async (staffId: string, pin: string): Promise<ErrorData | null> => {
    const r = await invoke('approval-grant', { staffId, pin, reason, amount })
    if (!r.ok) return r.error
    onApproved(r.value.approvalId, r.value.supervisor.name)
    return null
  }
  const fallback = {
    refund: t('errors.approval_required_refund'),
    void: t('errors.approval_required_void'),
    cash_movement: t('errors.approval_required_cash_movement'),
    over_short: t('errors.approval_required_over_short'),
  }[reason]
  return (
    <div className="supervisor-approval" data-testid="supervisor-approval">
      <p className="approval-why">{why ?? (limit !== null ? t('pay.supervisorFor', { limit: f.money(limit, currency) }) : fallback)}</p>
      <SupervisorPin grant={grant} />
    </div>
  )
}
