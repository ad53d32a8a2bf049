import { useTranslation } from 'react-i18next'
import type { Cart } from '../../../../shared/contract'
import type { ErrorData } from '../../../../shared/errors'
import { Dialog } from '../../components/Dialog'
import { SupervisorPin } from '../../components/SupervisorApproval'
import { useApp } from '../../store'

/**
 * A supervisor (or the owner) approves a discount over the store limit with their PIN.
 * Cancelling puts the cart back as it was before the discount.
 */
export function ApprovalDialog({ then, revert }: { then: 'keep' | 'pay'; revert: Cart | null }) {
  const { t } = useTranslation()
  const quote = useApp((s) => s.quote)
  const grantApproval = useApp((s) => s.grantApproval)
  const closeDialog = useApp((s) => s.closeDialog)
  const restoreCart = useApp((s) => s.restoreCart)
  const pay = useApp((s) => s.pay)

  const cancel = () => {
    if (revert) restoreCart(revert)
    closeDialog()
  }

  const grant = async (staffId: string, pin: string): Promise<ErrorData | null> => {
    const err = await grantApproval(staffId, pin)
    if (err) return err
    closeDialog()
    if (then === 'pay') void pay()
    return null
  }

  return (
    <Dialog title={t('approval.title')} onClose={cancel} testId="approval-dialog" size="large">
      <p className="approval-why">
        {quote ? t('approval.why', { percent: quote.discountPercent }) : t('approval.whyShort')}
      </p>
      <SupervisorPin grant={grant} />
    </Dialog>
  )
}
