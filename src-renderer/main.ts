import { mount } from 'svelte'
import App from './App.svelte'
import { cacheLocale } from './lib/i18n/locale-cache'
import './styles.css'

cacheLocale()

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
mount(App, { target })
