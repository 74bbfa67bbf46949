// Renders resources/icon.svg to resources/icon.png (512×512) with Debian's Chromium.
// Run after changing the SVG: `npm run icon`. electron-builder derives every OS's icon from the PNG.
import { readFile } from 'node:fs/promises'
import { chromium } from '@playwright/test'

const svg = await readFile('resources/icon.svg', 'utf8')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const page = await browser.newPage({ viewport: { width: 512, height: 512 } })
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
await page.locator('svg').screenshot({ path: 'resources/icon.png', omitBackground: true })
await browser.close()
console.log('wrote resources/icon.png')
