import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// better-sqlite3 stays external (a native addon; the app loads the Electron-ABI build by path).
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The core runs in an Electron utility process, off the main event loop.
          'core-host': resolve(__dirname, 'src/main/core-host.ts'),
        },
      },
    },
  },
  preload: {},
  renderer: {
    plugins: [react()],
    build: { minify: true },
  },
})
