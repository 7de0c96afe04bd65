// Signing with NCALayer, the desktop signer of Kazakhstan's National
// Certification Authority, over its WebSocket on the user's machine
// (kz.gov.pki.knca.basics / sign). Forms marked data-eds get the signature
// (a PEM CMS) in their "cms" field before they are sent. Every check of the
// signature is the server's; without JavaScript the form is sent without
// one and the server says signing needs JavaScript.
const AUTH = '1.3.6.1.5.5.7.3.2' // client authentication: the AUTH key
const SIGN = '1.3.6.1.5.5.7.3.4' // e-mail protection: the signing key (RSA/GOST SIGN)

class SignError extends Error {
  constructor (kind, detail) {
    super(kind)
    this.kind = kind // missing | cancel | failed
    this.detail = detail || ''
  }
}

// sign asks NCALayer at url to sign the base64 data with a key for the
// purpose, and resolves with the PEM CMS.
function sign (url, data, purpose, locale) {
  return new Promise((resolve, reject) => {
    let ws
    try {
      ws = new WebSocket(url)
    } catch (e) {
      reject(new SignError('missing'))
      return
    }
    let greeted = false
    let done = false
    let timer = null
    const finish = (fn, value) => {
      if (done) return
      done = true
      clearTimeout(timer)
      ws.close()
      fn(value)
    }
    // NCALayer greets at once; a socket that stays silent is not NCALayer.
    timer = setTimeout(() => finish(reject, new SignError('missing')), 10000)
    ws.onerror = () => finish(reject, new SignError(greeted ? 'failed' : 'missing'))
    ws.onclose = () => finish(reject, new SignError(greeted ? 'failed' : 'missing'))
    ws.onmessage = (ev) => {
      let msg
      try {
        msg = JSON.parse(ev.data)
      } catch (e) {
        finish(reject, new SignError('failed'))
        return
      }
      if (!greeted) { // NCALayer first says which version it is
        if (!msg.result || !msg.result.version) {
          finish(reject, new SignError('missing'))
          return
        }
        greeted = true
        clearTimeout(timer) // now the person chooses a key and types its password: no limit
        ws.send(JSON.stringify({
          module: 'kz.gov.pki.knca.basics',
          method: 'sign',
          args: {
            allowedStorages: null,
            format: 'cms',
            data,
            signingParams: { decode: true, encapsulate: true, digested: false },
            signerParams: { extKeyUsageOids: [purpose === 'auth' ? AUTH : SIGN] },
            locale
          }
        }))
        return
      }
      if (msg.status === true) {
        const result = msg.body && msg.body.result
        if (result === undefined || result === null) { // the user pressed Cancel
          finish(reject, new SignError('cancel'))
          return
        }
        finish(resolve, Array.isArray(result) ? result[0] : result)
        return
      }
      finish(reject, new SignError('failed', msg.message || msg.code))
    }
  })
}

function wire (form) {
  const status = form.querySelector('[data-eds-status]')
  const button = form.querySelector('button[type=submit]')
  const say = (text) => {
    status.textContent = text
    status.hidden = !text
  }
  let busy = false
  const reset = () => {
    busy = false
    button.disabled = false
    button.removeAttribute('aria-busy')
  }
  // Back to a page the browser kept: no old signature, a usable button.
  window.addEventListener('pageshow', () => {
    form.elements.cms.value = ''
    reset()
  })
  form.addEventListener('submit', (ev) => {
    if (form.elements.cms.value) return // signed: send it
    ev.preventDefault()
    if (busy) return
    busy = true
    button.disabled = true
    say('')
    button.setAttribute('aria-busy', 'true')
    sign(form.dataset.edsNcalayer, form.dataset.edsData, form.dataset.edsPurpose, form.dataset.edsLocale)
      .then((cms) => {
        form.elements.cms.value = cms
        form.submit()
      })
      .catch((err) => {
        const kind = err instanceof SignError ? err.kind : 'failed'
        let text = form.dataset['edsMsg' + kind.charAt(0).toUpperCase() + kind.slice(1)] || form.dataset.edsMsgFailed
        if (kind === 'failed' && err.detail) text += ' (' + err.detail + ')'
        say(text)
        reset()
        button.focus()
      })
  })
}

document.querySelectorAll('form[data-eds]').forEach(wire)
