import { useTranslation } from 'react-i18next'
import type { Staff } from '../../../shared/contract'

/** A person to pick before a PIN: on the sign-in screen and in the supervisor-approval dialog. */
export function StaffTile({ staff, size, active, testId, onPick }: { staff: Staff; size: 'big' | 'small'; active?: boolean; testId: string; onPick: () => void }) {
  const { t } = useTranslation()
  const classes = ['staff-tile', size === 'small' ? 'small' : '', active ? 'active' : ''].filter(Boolean).join(' ')
  return (
    <button type="button" className={classes} data-testid={testId} data-name={staff.name} data-role={staff.role} onClick={onPick}>
      <span className={size === 'big' ? 'avatar big' : 'avatar'} aria-hidden="true">
        {staff.name.slice(0, 1)}
      </span>
      <span className="tile-name">{staff.name}</span>
      <span className={`role role-${staff.role}`}>{t(`roles.${staff.role}`)}</span>
    </button>
  )
}
