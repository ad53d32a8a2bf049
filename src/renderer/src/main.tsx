import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './i18n'
import './styles.css'
import { App } from './App'
import { CustomerDisplay } from './screens/CustomerDisplay'

/** The same page serves the till and, at #/customer-display, the screen that faces the customer. */
const customerDisplay = window.location.hash.startsWith('#/customer-display')

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(<StrictMode>{customerDisplay ? <CustomerDisplay /> : <App />}</StrictMode>)
}
