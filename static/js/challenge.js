/* r2dr: the challenge's proof of work (r2dr/challenge.py). Without JavaScript the picture or the text question
   solve the challenge; with it, the browser finds `count` nonces whose SHA-256 with the seed starts with `bits`
   zero bits, in slices that keep the page responsive, and fills the hidden field. A submit pressed before the
   work is done waits for it; one pressed before this script even ran (on a slow phone) comes back marked
   `data-send-when-done`, and the form is sent once the work is done. */
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);

  /* The first 32 bits of SHA-256 of an ASCII string shorter than 56 bytes (one block): enough to count
     leading zero bits up to 32, which is all the work ever asks. */
  function firstWord(text) {
    var n = text.length, i;
    for (i = 0; i < 16; i++) { W[i] = 0; }
    for (i = 0; i < n; i++) { W[i >> 2] |= text.charCodeAt(i) << (24 - (i & 3) * 8); }
    W[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
    W[15] = n * 8;
    for (i = 16; i < 64; i++) {
      var x = W[i - 15], y = W[i - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    var a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372, d = 0xa54ff53a;
    var e = 0x510e527f, f = 0x9b05688c, g = 0x1f83d9ab, h = 0x5be0cd19;
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    return (a + 0x6a09e667) >>> 0;
  }

  function solve(box) {
    var form = box.closest("form");
    var field = box.querySelector("[data-challenge-work]");
    var status = box.querySelector("[data-challenge-status]");
    var seed = box.getAttribute("data-work-seed");
    var bits = parseInt(box.getAttribute("data-work-bits"), 10);
    var count = parseInt(box.getAttribute("data-work-count"), 10);
    var limit = Math.pow(2, 32 - bits);
    var found = [], index = 0, nonce = 0, done = false, waiting = null;
    if (!form || !field || !seed || !(bits > 0 && bits <= 32) || !(count > 0)) { return; }
    if (status) { status.hidden = false; status.textContent = box.getAttribute("data-text-working"); }

    function finish() {
      done = true;
      field.value = found.join(",");
      box.classList.add("challenge-done");
      if (status) { status.textContent = box.getAttribute("data-text-done"); }
      if (waiting) { var submitter = waiting; waiting = null; form.requestSubmit(submitter); }
    }
    function slice() {
      var stop = Date.now() + 40;
      while (Date.now() < stop) {
        for (var k = 0; k < 2000; k++) {
          if (firstWord(seed + ":" + index + ":" + nonce) < limit) {
            found.push(String(nonce));
            index += 1;
            nonce = 0;
            if (index === count) { finish(); return; }
          } else {
            nonce += 1;
          }
        }
      }
      setTimeout(slice, 0);
    }
    form.addEventListener("submit", function (event) {
      if (done) { return; }
      var submitter = event.submitter;
      var manual = box.querySelectorAll("[data-challenge-manual] input");
      for (var i = 0; i < manual.length; i++) { if (manual[i].value) { return; } }  // answered by hand
      if (!submitter || !form.requestSubmit) { return; }
      event.preventDefault();
      waiting = submitter;
      if (status) { status.textContent = box.getAttribute("data-text-waiting"); }
    });
    if (box.hasAttribute("data-send-when-done")) {  // sent before this script ran: send again once done
      waiting = form.querySelector("[data-challenge-send]");
      if (waiting && status) { status.textContent = box.getAttribute("data-text-waiting"); }
    }
    setTimeout(slice, 0);
  }

  var boxes = document.querySelectorAll("[data-challenge]");
  for (var i = 0; i < boxes.length; i++) { solve(boxes[i]); }
})();
