import { mount } from 'svelte'
import App from './App.svelte'
import ConsoleWindow from './ConsoleWindow.svelte'
import { consoleOfRoute } from './lib/console/console-route'
import { cacheLocale } from './lib/i18n/locale-cache'
import './styles.css'

cacheLocale()

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
// A console's own window shows that console only (src-main/console/console-route.ts).
const detached = consoleOfRoute(location.hash)
if (detached) mount(ConsoleWindow, { target, props: { target: detached } })
else mount(App, { target })
