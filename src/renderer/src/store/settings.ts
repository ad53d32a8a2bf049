import type { ChannelInput, Settings, Staff } from '../../../shared/contract'
import type { Result } from '../../../shared/errors'
import { invoke } from '../api'
import type { Slice } from './types'

export type SettingsInput = ChannelInput<'settings-update'>
export type StaffInput = ChannelInput<'staff-save'>

export interface SettingsSlice {
  settings: Settings | null
  loadSettings: () => Promise<void>
  saveSettings: (input: SettingsInput) => Promise<Result<Settings>>
  saveStaff: (input: StaffInput) => Promise<Result<Staff>>
}

export const createSettingsSlice: Slice<SettingsSlice> = (set, get) => ({
  settings: null,

  async loadSettings() {
    const r = await invoke('settings-get', {})
    if (r.ok) set({ settings: r.value })
  },

  async saveSettings(input) {
    const r = await invoke('settings-update', input)
    if (r.ok) {
      set({ settings: r.value })
      void get().loadAppInfo()
      if (get().cart.lines.length > 0) void get().requote()
    }
    return r
  },

  async saveStaff(input) {
    const r = await invoke('staff-save', input)
    if (r.ok) void get().loadStaff()
    return r
  },
})
