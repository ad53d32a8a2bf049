import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Cart } from '../../../../shared/contract'
import type { ErrorData } from '../../../../shared/errors'
import { Dialog } from '../../components/Dialog'
import { ErrorNote } from '../../components/ErrorNote'
import { PinPad } from '../../components/PinPad'
import { StaffTile } from '../../components/StaffTile'
import { useApp } from '../../store'

/**
 * A supervisor (or the owner) approves a discount over the store limit with their PIN.
 * Cancelling puts the cart back as it was before the discount.
 */
export function ApprovalDialog({ then, revert }: { then: 'keep' | 'pay'; revert: Cart | null }) {
  const { t } = useTranslation()
  const staffList = useApp((s) => s.staffList)
  const session = useApp((s) => s.session)
  const quote = useApp((s) => s.quote)
  const grantApproval = useApp((s) => s.grantApproval)
  const closeDialog = useApp((s) => s.closeDialog)
  const restoreCart = useApp((s) => s.restoreCart)
  const pay = useApp((s) => s.pay)

  const approvers = staffList.filter((s) => s.active && (s.role === 'supervisor' || s.role === 'owner'))
  const [chosen, setChosen] = useState<string | null>(() => {
    const me = session?.staff
    if (me && (me.role === 'supervisor' || me.role === 'owner')) return me.id
    return approvers.length === 1 ? (approvers[0]?.id ?? null) : null
  })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ErrorData | null>(null)
  const person = approvers.find((a) => a.id === chosen) ?? null

  const cancel = () => {
    if (revert) restoreCart(revert)
    closeDialog()
  }

  const submit = async (pin: string) => {
    if (!person) return
    setBusy(true)
    setError(null)
    const err = await grantApproval(person.id, pin)
    setBusy(false)
    if (err) {
      setError(err)
      return
    }
    closeDialog()
    if (then === 'pay') void pay()
  }

  return (
    <Dialog title={t('approval.title')} onClose={cancel} testId="approval-dialog" size="large">
      <p className="approval-why">
        {quote ? t('approval.why', { percent: quote.discountPercent }) : t('approval.whyShort')}
      </p>
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
    </Dialog>
  )
}
