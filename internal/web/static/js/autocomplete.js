// Suggestions for inputs marked data-autocomplete="URL": as the user types,
// the URL (?q=…) answers [{code, title}], shown through a native <datalist>,
// which browsers and screen readers already know how to present. Without
// JavaScript the input still takes a code, and the search page finds it.
for (const input of document.querySelectorAll('input[data-autocomplete]')) {
  const list = document.createElement('datalist')
  list.id = input.id + '-suggestions'
  input.after(list)
  input.setAttribute('list', list.id)
  input.setAttribute('autocomplete', 'off')
  let timer
  input.addEventListener('input', () => {
    clearTimeout(timer)
    const q = input.value.trim()
    if (q.length < 2) return
    timer = setTimeout(async () => {
      const url = input.dataset.autocomplete + '?q=' + encodeURIComponent(q)
      const response = await fetch(url, { headers: { Accept: 'application/json' } })
      if (!response.ok) return
      list.replaceChildren(...(await response.json()).map(o => {
        const option = document.createElement('option')
        option.value = o.code + ' ' + o.title
        return option
      }))
    }, 150)
  })
}
