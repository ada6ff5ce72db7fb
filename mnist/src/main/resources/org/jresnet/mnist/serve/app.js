// The page of `mnist.jar serve`: draw on #pad, the server preprocesses the canvas exactly as
// `predict` does a PNG and answers the digit, the probabilities and the 28x28 image it fed the
// network, which #seen shows as it is (nothing is recomputed here).
(() => {
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const seen = document.getElementById('seen').getContext('2d');
  const digitOut = document.getElementById('digit');
  const bars = document.getElementById('bars');
  const status = document.getElementById('status');
  const DEBOUNCE_MS = 120;
  // Each change of the drawing gets a number; body's data-drawn / data-shown say which drawing
  // the answer on screen belongs to (the browser test waits for them to meet).
  let version = 0;
  const changed = () => { document.body.dataset.drawn = String(++version); };

  for (let d = 0; d < 10; d++) {
    const li = document.createElement('li');
    li.dataset.digit = d;
    li.innerHTML = `<span>${d}</span><span class="track"><span class="fill"></span></span><span class="pct">0%</span>`;
    bars.appendChild(li);
  }

  function clearPad() {
    ctx.fillStyle = '#000';          // MNIST's polarity: white ink on black
    ctx.fillRect(0, 0, pad.width, pad.height);
    inked = false;
    changed();
    document.body.dataset.shown = String(version);
    digitOut.textContent = '?';
    show(null);
    status.textContent = 'cleared';
  }

  let inked = false;
  let last = null;
  pad.addEventListener('pointerdown', e => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
    stroke(last, last);
    e.preventDefault();
  });
  pad.addEventListener('pointermove', e => {
    if (!last) return;
    const p = point(e);
    stroke(last, p);
    last = p;
    schedule();
  });
  const end = () => { if (last) { last = null; schedule(0); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }

  function stroke(a, b) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = pad.width / 14;   // about MNIST's stroke once scaled to 20x20
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    inked = true;
    changed();
  }

  // Debounced, and never more than one request in flight: the latest drawing wins.
  let timer = null, busy = false, again = false;
  function schedule(delay = DEBOUNCE_MS) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const v = version;   // toBlob copies the canvas now
      if (inked) pad.toBlob(blob => send(blob, v), 'image/png');
    }, delay);
  }
  async function send(blob, v) {
    if (busy) { again = true; return; }
    busy = true;
    try {
      await predict(blob, v);
    } finally {
      busy = false;
      if (again) { again = false; schedule(0); }
    }
  }

  async function predict(blob, v) {
    status.textContent = 'reading…';
    try {
      const r = await fetch('api/predict', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: blob });
      const a = await r.json();
      if (!r.ok) throw new Error(a.error || r.statusText);
      digitOut.textContent = String(a.digit);
      show(a);
      status.textContent = `${a.millis.toFixed(1)} ms on the server (batch of ${a.batch})`;
      document.body.dataset.shown = String(v);
    } catch (err) {
      digitOut.textContent = '?';
      status.textContent = 'error: ' + err.message;
    }
  }

  function show(a) {
    bars.querySelectorAll('li').forEach((li, d) => {
      const p = a ? a.probabilities[d] : 0;
      li.dataset.p = p;
      li.classList.toggle('best', !!a && a.digit === d);
      li.querySelector('.fill').style.width = (100 * p).toFixed(1) + '%';
      li.querySelector('.pct').textContent = (100 * p).toFixed(1) + '%';
    });
    const img = seen.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = a ? Math.round(255 * a.input[i]) : 0;
      img.data.set([v, v, v, 255], 4 * i);
    }
    seen.putImageData(img, 0, 0);
  }

  // Upload: the file goes to the server as it is; the pad shows it for reference.
  const drop = document.getElementById('drop');
  const file = document.getElementById('file');
  function upload(f) {
    if (!f) return;
    const url = URL.createObjectURL(f);
    const im = new Image();
    const ask = () => { URL.revokeObjectURL(url); changed(); predict(f, version); };
    im.onload = () => {
      clearPad();
      const s = Math.min(pad.width / im.width, pad.height / im.height);
      ctx.drawImage(im, (pad.width - im.width * s) / 2, (pad.height - im.height * s) / 2, im.width * s, im.height * s);
      ask();
    };
    im.onerror = ask;   // not a picture the browser shows: the server's answer says why
    im.src = url;
  }
  file.addEventListener('change', () => { upload(file.files[0]); file.value = ''; });
  drop.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } });
  ['dragenter', 'dragover'].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.add('over'); }));
  ['dragleave', 'drop'].forEach(t => drop.addEventListener(t, e => { e.preventDefault(); drop.classList.remove('over'); }));
  drop.addEventListener('drop', e => upload(e.dataTransfer.files[0]));
  pad.addEventListener('dragover', e => e.preventDefault());
  pad.addEventListener('drop', e => { e.preventDefault(); upload(e.dataTransfer.files[0]); });

  document.getElementById('clear').addEventListener('click', clearPad);
  document.addEventListener('keydown', e => { if (e.key === 'Escape') clearPad(); });

  fetch('api/model').then(r => r.json()).then(m => {
    const acc = m.test_accuracy == null ? '' : `, test accuracy ${(100 * m.test_accuracy).toFixed(2)}%`;
    document.getElementById('model').textContent =
      `${m.description}, ${m.parameters.toLocaleString('en')} parameters${acc}; ${m.backend} backend`;
  }).catch(() => {});

  clearPad();
  status.textContent = '';
})();
