// Progressive enhancement only: every page works without JavaScript.
// No inline script marks the body (the CSP forbids inline scripts), so it happens here.
import { initAll } from './govuk-frontend.min.js'
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
