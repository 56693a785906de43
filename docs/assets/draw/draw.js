/* Draw a digit: the trained nnscratch network, running in the reader's browser.
 *
 * Plain JavaScript, no library. Every element marked `data-nnscratch-draw` becomes
 * a drawing pad with the network's ten probabilities and its 64 hidden activations.
 * The model (model.json) and the test digits (digits.json) are fetched from the
 * folder this script is served from, unless the element names others in
 * `data-model` / `data-digits` (relative to the page).
 *
 * The forward pass is the package's `feed_forward`, one column x (784 values):
 *   z1 = W1 x + b1,  a1 = g(z1)  (g = stable sigmoid or relu),
 *   z2 = W2 a1 + b2, a2 = softmax(z2)  (max subtracted first).
 *
 * Tests reach the page's own code through `window.nnscratchDraw`.
 */
(function () {
  "use strict";

  var SCRIPT_URL = (document.currentScript && document.currentScript.src) || document.baseURI;
  var SIDE = 28;          // MNIST images are 28x28 ...
  var BOX = 20;           // ... with the digit's bounding box scaled to fit 20x20
  // and its centre of mass on pixel (14, 14), counting from 0: on the shipped sample every
  // test digit's centre of mass lies within half a pixel of that pixel's centre, 14.5 in
  // coordinates where pixel i spans [i, i + 1).
  var CENTRE = 14.5;
  var PAD = 280;          // drawing square in CSS pixels (10 per MNIST pixel) ...
  var PEN = 22;           // ... and pen width: about 2 MNIST pixels for a digit as tall as the box

  /* ---------------------------------------------------------------- model */

  function base64Bytes(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // IEEE 754 half precision -> number (exact).
  function halfToNumber(h) {
    var sign = h & 0x8000 ? -1 : 1;
    var exponent = (h >> 10) & 0x1f;
    var fraction = h & 0x3ff;
    if (exponent === 0) return sign * fraction * Math.pow(2, -24);
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
  }

  // base64 of little-endian float32/float16 values -> Float64Array (exact widening).
  function decodeValues(text, dtype, count, name) {
    var bytes = base64Bytes(text);
    var size = dtype === "float16" ? 2 : 4;
    if (bytes.length !== count * size) {
      throw new Error(name + " holds " + bytes.length + " bytes; expected " + count * size);
    }
    var view = new DataView(bytes.buffer);
    var out = new Float64Array(count);
    for (var i = 0; i < count; i++) {
      out[i] = size === 2 ? halfToNumber(view.getUint16(2 * i, true)) : view.getFloat32(4 * i, true);
    }
    return out;
  }

  // The JSON written by `nnscratch export` -> {W1, b1, W2, b2 (row-major Float64Arrays), nx, nh, ny, activation}.
  function parseModel(doc) {
    if (!doc || doc.format !== "nnscratch-web-model" || doc.version !== 1) {
      throw new Error("not an nnscratch-web-model version 1 file");
    }
    if (doc.activation !== "sigmoid" && doc.activation !== "relu") {
      throw new Error("unknown activation " + doc.activation);
    }
    var nh = doc.shapes.W1[0], nx = doc.shapes.W1[1], ny = doc.shapes.W2[0];
    var model = { nx: nx, nh: nh, ny: ny, activation: doc.activation };
    var sizes = { W1: nh * nx, b1: nh, W2: ny * nh, b2: ny };
    Object.keys(sizes).forEach(function (name) {
      model[name] = decodeValues(doc.params[name], doc.dtype, sizes[name], name);
    });
    return model;
  }

  /* --------------------------------------------------------- forward pass */

  function sigmoid(z) {
    // only ever exponentiates -|z|, so nothing overflows
    if (z >= 0) return 1 / (1 + Math.exp(-z));
    var e = Math.exp(z);
    return e / (1 + e);
  }

  function relu(z) {
    return z > 0 ? z : 0;
  }

  // z = W v + b for a row-major W of shape (rows, cols).
  function affine(W, b, v, rows, cols) {
    var z = new Float64Array(rows);
    for (var r = 0; r < rows; r++) {
      var sum = 0, offset = r * cols;
      for (var c = 0; c < cols; c++) sum += W[offset + c] * v[c];
      z[r] = sum + b[r];
    }
    return z;
  }

  function softmax(z) {
    var max = -Infinity, total = 0, out = new Float64Array(z.length), k;
    for (k = 0; k < z.length; k++) max = Math.max(max, z[k]);
    for (k = 0; k < z.length; k++) total += (out[k] = Math.exp(z[k] - max));
    for (k = 0; k < z.length; k++) out[k] /= total;
    return out;
  }

  function forward(model, x) {
    if (x.length !== model.nx) throw new Error("input has " + x.length + " values; the model needs " + model.nx);
    var g = model.activation === "relu" ? relu : sigmoid;
    var z1 = affine(model.W1, model.b1, x, model.nh, model.nx);
    var a1 = z1.map(g);
    var z2 = affine(model.W2, model.b2, a1, model.ny, model.nh);
    return { z1: z1, a1: a1, z2: z2, a2: softmax(z2) };
  }

  /* -------------------------------------------------------- preprocessing */

  // Length of the overlap of [a0, a1) and [b0, b1).
  function overlap(a0, a1, b0, b1) {
    return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  }

  // For each source pixel s in from..to, the target pixels it covers and by how much,
  // flattened as [t, weight, t, weight, ...], when source coordinate u lands at target
  // coordinate (u - centre) * scale + CENTRE; a weight is the covered fraction of pixel t.
  function coverage(from, to, centre, scale) {
    var spans = [];
    for (var s = from; s <= to; s++) {
      var lo = (s - centre) * scale + CENTRE, hi = lo + scale, span = [];
      for (var t = Math.max(0, Math.floor(lo)); t < Math.min(SIDE, Math.ceil(hi)); t++) {
        span.push(t, overlap(lo, hi, t, t + 1));
      }
      spans.push(span);
    }
    return spans;
  }

  /* Ink image (values in [0, 1], row-major, width x height) -> 784 MNIST-style pixels,
   * the way MNIST was made: the bounding box of the ink is scaled to fit a 20x20 box,
   * aspect ratio kept; each target pixel takes the mean ink over the area it covers
   * (that mean gives the anti-aliased grey levels); the result sits in 28x28 with the
   * centre of mass of the ink on the central pixel (14, 14). Returns null for a blank image. */
  function preprocess(ink, width, height) {
    var x0 = width, x1 = -1, y0 = height, y1 = -1, mass = 0, mx = 0, my = 0, x, y, v;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) {
        v = ink[y * width + x];
        if (v > 0) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
          mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
        }
      }
    }
    if (mass === 0) return null;
    var scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
    var cols = coverage(x0, x1, mx / mass, scale);
    var rows = coverage(y0, y1, my / mass, scale);
    var out = new Float64Array(SIDE * SIDE);
    for (y = y0; y <= y1; y++) {
      var row = rows[y - y0];
      for (x = x0; x <= x1; x++) {
        v = ink[y * width + x];
        if (!v) continue;
        var col = cols[x - x0];
        for (var a = 0; a < row.length; a += 2) {
          for (var b = 0; b < col.length; b += 2) out[row[a] * SIDE + col[b]] += v * row[a + 1] * col[b + 1];
        }
      }
    }
    for (var i = 0; i < out.length; i++) out[i] = Math.min(1, out[i]);  // rounding only
    return out;
  }

  /* ------------------------------------------------------------- loading */

  var cache = {};

  function fetchJson(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      });
    }
    return cache[url];
  }

  function assetUrl(root, attribute, name) {
    var given = root && root.getAttribute(attribute);
    return given ? new URL(given, document.baseURI).href : new URL(name, SCRIPT_URL).href;
  }

  var models = {};

  function loadModel(url) {
    if (!models[url]) models[url] = fetchJson(url).then(parseModel);
    return models[url];
  }

  // digits.json -> {labels, pixels: [Float64Array(784) in [0, 1]], index: MNIST test indexes, credit}
  function loadDigits(url) {
    return fetchJson(url).then(function (doc) {
      var bytes = base64Bytes(doc.pixels), pixels = [];
      for (var d = 0; d < doc.labels.length; d++) {
        var x = new Float64Array(SIDE * SIDE);
        for (var p = 0; p < x.length; p++) x[p] = bytes[d * x.length + p] / 255;
        pixels.push(x);
      }
      return { labels: doc.labels, pixels: pixels, index: doc.mnist_test_index, credit: doc.credit };
    });
  }

  /* --------------------------------------------------------------- widget */

  function element(tag, className, parent, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function button(parent, label, action) {
    var b = element("button", "md-button nns-draw__button", parent, label);
    b.type = "button";
    b.setAttribute("data-action", action);
    return b;
  }

  function smallCanvas(parent, side, label) {
    var figure = element("figure", "nns-draw__figure", parent);
    var canvas = element("canvas", "nns-draw__pixels", figure);
    canvas.width = side; canvas.height = side;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
    element("figcaption", "", figure, label);
    return canvas;
  }

  // Grey levels in [0, 1] -> white-on-black pixels of a small canvas.
  function paintGrey(canvas, values, max) {
    var context = canvas.getContext("2d");
    var image = context.createImageData(canvas.width, canvas.height);
    for (var i = 0; i < canvas.width * canvas.height; i++) {
      var level = i < values.length ? Math.round(255 * Math.min(1, values[i] / max)) : 0;
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = level;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  function mount(root) {
    root.setAttribute("data-mounted", "");
    root.textContent = "";
    var layout = element("div", "nns-draw__layout", root);
    var left = element("div", "nns-draw__pad", layout);
    var pad = element("canvas", "nns-draw__canvas", left);
    // canvas pixels per CSS pixel: sharp strokes on high-density screens
    var res = PAD * Math.min(3, Math.max(1, Math.round(window.devicePixelRatio || 1)));
    pad.width = pad.height = res;
    pad.setAttribute("role", "img");
    pad.setAttribute("aria-label", "Drawing area: draw one digit, 0 to 9, as large as the box");
    var controls = element("div", "nns-draw__buttons", left);
    var clearButton = button(controls, "Clear", "clear");
    var digitButton = button(controls, "Load a test digit", "digit");
    var status = element("p", "nns-draw__status", left, "Loading the model...");
    status.setAttribute("aria-live", "polite");

    var right = element("div", "nns-draw__results", layout);
    var bars = element("ol", "nns-draw__bars", right);
    bars.setAttribute("aria-label", "Probability of each digit");
    var rows = [];
    for (var k = 0; k < 10; k++) {
      var row = element("li", "nns-draw__bar", bars);
      row.setAttribute("data-digit", String(k));
      row.setAttribute("aria-label", "Digit " + k + ": no prediction yet");
      element("span", "nns-draw__digit", row, String(k));
      var track = element("span", "nns-draw__track", row);
      var fill = element("span", "nns-draw__fill", track);
      var value = element("span", "nns-draw__value", row, "");
      rows.push({ row: row, fill: fill, value: value });
    }
    var views = element("div", "nns-draw__views", right);
    var inputView = smallCanvas(views, SIDE, "Input x: 28 × 28");
    var hiddenView = null;

    var context = pad.getContext("2d", { willReadFrequently: true });
    var model = null, state = { probabilities: null, source: null, input: null, hidden: null };
    var digits = null, pointer = null, last = null, frame = 0, shown = null;
    root.nnscratchState = state;

    function showResult(x, source) {
      state.source = source;
      state.input = x;
      if (!x) {
        state.probabilities = state.hidden = null;
        rows.forEach(function (r) {
          r.fill.style.width = "0%"; r.value.textContent = ""; r.row.classList.remove("nns-draw__bar--top");
          r.row.setAttribute("aria-label", "Digit " + r.row.getAttribute("data-digit") + ": no prediction yet");
        });
        paintGrey(inputView, [], 1);
        if (hiddenView) paintGrey(hiddenView, [], 1);
        status.textContent = "Draw a digit, 0 to 9, as large as the box.";
        return;
      }
      var result = forward(model, x), top = 0;
      state.probabilities = Array.from(result.a2);
      state.hidden = Array.from(result.a1);
      for (var k = 0; k < 10; k++) if (result.a2[k] > result.a2[top]) top = k;
      rows.forEach(function (r, k) {
        var p = result.a2[k];
        r.fill.style.width = (100 * p).toFixed(2) + "%";
        r.value.textContent = (100 * p).toFixed(1) + "%";
        r.row.setAttribute("aria-label", "Digit " + k + ": probability " + r.value.textContent);
        r.row.classList.toggle("nns-draw__bar--top", k === top);
      });
      paintGrey(inputView, x, 1);
      var peak = model.activation === "relu" ? Math.max.apply(null, state.hidden.concat([1e-12])) : 1;
      paintGrey(hiddenView, result.a1, peak);
      var sure = (100 * result.a2[top]).toFixed(1) + "%";
      status.textContent = source === "drawing"
        ? "The network reads " + top + " (" + sure + ")."
        : "MNIST test image " + shown.index + ", labelled " + shown.label + ": the network reads " + top + " (" + sure + ").";
    }

    function inkOfPad() {
      var data = context.getImageData(0, 0, res, res).data, ink = new Float64Array(res * res);
      for (var i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3] / 255;  // ink = opacity
      return ink;
    }

    function update() {
      frame = 0;
      if (model) showResult(preprocess(inkOfPad(), res, res), "drawing");
    }

    function schedule() {
      if (!frame) frame = requestAnimationFrame(update);
    }

    function position(event) {
      var box = pad.getBoundingClientRect();
      return { x: (event.clientX - box.left) * res / box.width, y: (event.clientY - box.top) * res / box.height };
    }

    function stroke(from, to) {
      context.beginPath();
      context.moveTo(from.x, from.y);
      context.lineTo(to.x, to.y);
      context.stroke();
    }

    function clear() {
      context.clearRect(0, 0, res, res);
      context.lineWidth = PEN * res / PAD; context.lineCap = "round"; context.lineJoin = "round";
      context.strokeStyle = "#fff";
    }

    pad.addEventListener("pointerdown", function (event) {
      if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      pointer = event.pointerId;
      try { pad.setPointerCapture(pointer); } catch (e) { /* an untrusted test event has no capture */ }
      last = position(event);
      stroke(last, last);
      schedule();
    });
    pad.addEventListener("pointermove", function (event) {
      if (event.pointerId !== pointer) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      (events.length ? events : [event]).forEach(function (e) {
        var next = position(e);
        stroke(last, next);
        last = next;
      });
      schedule();
    });
    function release(event) {
      if (event.pointerId !== pointer) return;
      pointer = null;
      schedule();
    }
    ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (type) {
      pad.addEventListener(type, release);
    });
    // Belt and braces for browsers that scroll despite `touch-action: none`.
    pad.addEventListener("touchmove", function (event) { event.preventDefault(); }, { passive: false });

    clearButton.addEventListener("click", function () {
      clear();
      if (model) showResult(null, null);
    });

    digitButton.addEventListener("click", function () {
      if (!digits || !model) return;
      var d = Math.floor(Math.random() * digits.labels.length);
      showDigit(d);
    });

    function showDigit(d) {
      var x = digits.pixels[d];
      shown = { label: digits.labels[d], index: digits.index[d], number: d };
      var small = document.createElement("canvas");
      small.width = small.height = SIDE;
      var image = small.getContext("2d").createImageData(SIDE, SIDE);
      for (var i = 0; i < x.length; i++) {
        image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = 255;
        image.data[4 * i + 3] = Math.round(255 * x[i]);
      }
      small.getContext("2d").putImageData(image, 0, 0);
      clear();
      context.imageSmoothingEnabled = false;
      context.drawImage(small, 0, 0, res, res);
      showResult(x, "digit");
    }
    root.nnscratchShowDigit = function (d) { showDigit(d); };

    clear();
    digitButton.disabled = true;
    var ready = Promise.all([
      loadModel(assetUrl(root, "data-model", "model.json")),
      loadDigits(assetUrl(root, "data-digits", "digits.json")),
    ]).then(function (loaded) {
      model = loaded[0];
      digits = loaded[1];
      var side = Math.ceil(Math.sqrt(model.nh));
      hiddenView = smallCanvas(views, side, "Hidden a[1]: " + model.nh + " units");
      digitButton.disabled = false;
      root.setAttribute("data-ready", "");
      showResult(null, null);
      return model;
    }).catch(function (error) {
      status.textContent = "Could not load the model: " + error.message;
      throw error;
    });
    root.nnscratchReady = ready;
    return ready;
  }

  function mountAll() {
    var roots = document.querySelectorAll("[data-nnscratch-draw]:not([data-mounted])");
    Array.prototype.forEach.call(roots, mount);
  }

  /* ------------------------------------------------------ testing hook */

  function defaultRoot() {
    return document.querySelector("[data-nnscratch-draw]");
  }

  var loadedModel = null;

  window.nnscratchDraw = {
    // Resolves once the page's model is loaded (the one its first widget uses).
    ready: function () {
      return loadModel(assetUrl(defaultRoot(), "data-model", "model.json")).then(function (m) {
        loadedModel = m;
        return { activation: m.activation, nx: m.nx, nh: m.nh, ny: m.ny };
      });
    },
    // 784 pixels in [0, 1] (row-major, ink = 1) -> the ten probabilities; after ready().
    predict: function (pixels, model) {
      var m = model || loadedModel;
      if (!m) throw new Error("call nnscratchDraw.ready() first");
      return Array.from(forward(m, pixels).a2);
    },
    forward: function (pixels, model) {
      var r = forward(model || loadedModel, pixels);
      return { z1: Array.from(r.z1), a1: Array.from(r.a1), z2: Array.from(r.z2), a2: Array.from(r.a2) };
    },
    parseModel: parseModel,
    preprocess: function (ink, width, height) {
      var out = preprocess(ink, width, height);
      return out && Array.from(out);
    },
    // What the first widget shows now: {probabilities, source, input, hidden}.
    state: function () {
      var root = defaultRoot();
      return root && root.nnscratchState;
    },
    showDigit: function (d) {
      defaultRoot().nnscratchShowDigit(d);
    },
  };

  // Material's instant navigation swaps pages without reloading scripts and
  // announces each new page on `document$`; without it, mount once the DOM is there.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(mountAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
