// run.mjs opens one notebook in JupyterLab in headless Chromium, clears its outputs, runs all its
// cells from the "Run" menu as a person would, waits for the kernel, checks what the page shows and
// saves a screenshot. Optionally it then moves a range slider (gonbui's slider widget renders an
// <input type="range">) and reports whether the figures changed.
//
// notebooks/browser_test.go starts the Jupyter server and drives this script; the last line of its
// output is "RESULT " followed by a JSON summary (see `summary` below), which the test parses.
//
// Usage:
//   node run.mjs --url http://127.0.0.1:PORT --token TOKEN --notebook 00-quickstart.ipynb --out DIR
//                [--chromium /usr/bin/chromium] [--timeout SECONDS]
//                [--slider "<label text or CSS selector>" --value V [--slider-timeout SECONDS]]
//   node run.mjs --parse-only ...   prints the parsed options as JSON and exits (used by the test).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

// Chromium must not reach out to the network: without these flags it opens connections to Google
// services in the background.
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export function parseArgs(argv) {
  const opts = {
    url: '', token: '', notebook: '', out: '', chromium: '/usr/bin/chromium',
    timeout: 600, slider: '', value: null, sliderTimeout: 180, width: 1400, height: 1000,
    parseOnly: false,
  };
  const numeric = new Set(['timeout', 'sliderTimeout', 'width', 'height']);
  const names = {
    '--url': 'url', '--token': 'token', '--notebook': 'notebook', '--out': 'out',
    '--chromium': 'chromium', '--timeout': 'timeout', '--slider': 'slider', '--value': 'value',
    '--slider-timeout': 'sliderTimeout', '--width': 'width', '--height': 'height',
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--parse-only') { opts.parseOnly = true; continue; }
    let val;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { val = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const key = names[arg];
    if (!key) throw new Error(`unknown option ${arg}`);
    if (val === undefined) {
      if (i + 1 >= argv.length) throw new Error(`option ${arg} needs a value`);
      val = argv[++i];
    }
    if (numeric.has(key)) {
      const n = Number(val);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`option ${arg}: want a positive number, got ${JSON.stringify(val)}`);
      opts[key] = n;
    } else {
      opts[key] = val;
    }
  }
  if (opts.slider && opts.value === null) throw new Error('--slider needs --value');
  if (!opts.slider && opts.value !== null) throw new Error('--value needs --slider');
  if (opts.value !== null && !Number.isFinite(Number(opts.value))) throw new Error(`--value: want a number, got ${JSON.stringify(opts.value)}`);
  if (!opts.parseOnly) {
    for (const k of ['url', 'token', 'notebook', 'out']) {
      if (!opts[k]) throw new Error(`missing --${k}`);
    }
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// pageState reads, in the page, what a person would look at: the kernel status of the notebook's
// toolbar, every code cell's prompt, error-looking outputs and the rendered figures.
function pageState() {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return { loaded: false };
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernelButton = panel.querySelector('.jp-Toolbar-kernelName');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map((c) => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim());
  const errors = [];
  const errorPatterns = [
    /^panic: /m,                         // a Go panic
    /failed to run "/,                   // gonb could not build or run the cell
    /\.go:\d+:\d+: /,                     // a compiler message
    /exit status [1-9]/,                 // the cell's program exited with an error
    /\b(error|Error|ERROR)\b/,           // anything else the program reports as an error
  ];
  const figures = [];
  const signature = [];
  cells.forEach((cell, index) => {
    for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
      const text = out.textContent || '';
      const stderr = out.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr';
      if ((stderr && errorPatterns.some((re) => re.test(text))) || /figure error:/.test(text)) {
        errors.push({ cell: index + 1, text: text.trim().slice(0, 1500) });
      }
      for (const el of out.querySelectorAll('img, svg')) {
        if (el.tagName.toLowerCase() === 'svg' && el.parentElement?.closest('svg')) continue; // nested
        const r = el.getBoundingClientRect();
        const loaded = el.tagName.toLowerCase() !== 'img' || (el.complete && el.naturalWidth > 0);
        if (r.width > 0 && r.height > 0 && loaded) {
          figures.push({ cell: index + 1, tag: el.tagName.toLowerCase(), width: Math.round(r.width), height: Math.round(r.height) });
          signature.push(el.tagName.toLowerCase() === 'img' ? el.getAttribute('src') || '' : el.outerHTML);
        }
      }
    }
  });
  const dialogs = [...document.querySelectorAll('.jp-Dialog')].map((d) => (d.textContent || '').trim().slice(0, 300));
  return {
    loaded: true,
    kernel: kernelButton?.getAttribute('aria-label') || kernelButton?.textContent?.trim() || '',
    status: indicator?.getAttribute('data-status') || '',
    prompts,
    running: prompts.filter((p) => p.includes('*')).length,
    executed: prompts.filter((p) => /^\[\d+\]/.test(p)).length,
    errors,
    figures,
    signature,
    dialogs,
  };
}

function hash(strings) {
  const h = crypto.createHash('sha256');
  for (const s of strings) h.update(s).update('\0');
  return h.digest('hex').slice(0, 16);
}

// findSlider returns a CSS selector for the range input named by `want`: a CSS selector (which must
// match an <input type=range> or an element holding one), else text shown next to the slider: its
// label, aria-label, title, id, or the text of its output and of the output just before it.
function findSlider(want) {
  const ranges = [...document.querySelectorAll('input[type=range]')];
  const mark = (el) => {
    if (!el.id) el.id = 'replay-slider-' + Math.random().toString(36).slice(2);
    return '#' + CSS.escape(el.id);
  };
  try {
    for (const el of document.querySelectorAll(want)) {
      if (el.matches('input[type=range]')) return { selector: mark(el), how: 'selector' };
      const inner = el.querySelector('input[type=range]');
      if (inner) return { selector: mark(inner), how: 'selector' };
    }
  } catch (e) { /* not a CSS selector: a label */ }
  const needle = want.toLowerCase();
  for (const el of ranges) {
    const texts = [el.getAttribute('aria-label'), el.getAttribute('title'), el.id, el.getAttribute('name')];
    for (const l of el.labels || []) texts.push(l.textContent);
    const out = el.closest('.jp-OutputArea-output');
    if (out) {
      texts.push(out.textContent);
      // The nearest output before it that shows text (widgets add empty outputs for their scripts).
      for (let prev = out.closest('.jp-OutputArea-child')?.previousElementSibling; prev; prev = prev.previousElementSibling) {
        const t = (prev.textContent || '').trim();
        if (t) { texts.push(t); break; }
      }
    } else {
      texts.push(el.parentElement?.textContent);
      texts.push(el.previousElementSibling?.textContent);
    }
    if (texts.some((t) => t && t.toLowerCase().includes(needle))) return { selector: mark(el), how: 'label' };
  }
  return { selector: '', how: '', ranges: ranges.length };
}

function setSlider({ selector, value }) {
  const el = document.querySelector(selector);
  const before = el.value;
  el.focus();
  el.value = String(value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return { before, after: el.value, min: el.min, max: el.max };
}

async function clickMenu(page, menu, item) {
  await page.locator('.lm-MenuBar-item', { hasText: new RegExp(`^${menu}$`) }).click();
  const entry = page.locator('.lm-Menu-content > .lm-Menu-item .lm-Menu-itemLabel', { hasText: new RegExp(`^${item}$`) });
  await entry.first().waitFor({ state: 'visible', timeout: 10_000 });
  await entry.first().click();
}

// screenshot grows the window to the notebook's full height (JupyterLab scrolls inside its own
// panel, so a page's "full page" is just the window), captures it and restores the window.
async function screenshot(page, file, opts) {
  const extra = await page.evaluate(() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const scroller = panel?.querySelector('.jp-WindowedPanel-outer');
    const cells = panel ? panel.querySelectorAll('.jp-Notebook .jp-Cell') : [];
    if (!scroller || !cells.length) return 0;
    // Down to the last cell's bottom (the notebook pads below it so it can scroll to the top).
    const bottom = cells[cells.length - 1].getBoundingClientRect().bottom + scroller.scrollTop;
    return Math.max(0, Math.ceil(bottom - scroller.getBoundingClientRect().bottom));
  });
  const height = Math.min(opts.height + extra + 40, 16000);
  await page.setViewportSize({ width: opts.width, height });
  await sleep(800);
  await page.evaluate(() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const scroller = panel?.querySelector('.jp-WindowedPanel-outer');
    if (scroller) scroller.scrollTop = 0;
  });
  await sleep(200);
  await page.screenshot({ path: file });
  await page.setViewportSize({ width: opts.width, height: opts.height });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.parseOnly) {
    console.log('OPTIONS ' + JSON.stringify(opts));
    return 0;
  }
  const { chromium } = await import('playwright-core');
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  // --timeout bounds the whole script (kernel start, the run, the slider), so that a caller that
  // kills it a little after --timeout always gets a result line first.
  const end = started + opts.timeout * 1000;
  const log = (msg) => console.log(`[${seconds().toFixed(1)}s] ${msg}`);
  const base = path.basename(opts.notebook, '.ipynb');
  fs.mkdirSync(opts.out, { recursive: true });
  const summary = {
    notebook: opts.notebook, ok: false, failure: '', kernel: '', cells: 0, executed: 0,
    errors: [], figures: 0, figureSizes: [], dialogs: [], seconds: 0, runSeconds: 0,
    screenshot: '', console: [], slider: null,
  };
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: opts.chromium, headless: true, args: chromiumArgs,
      viewport: { width: opts.width, height: opts.height },
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' && summary.console.length < 20) summary.console.push(m.text().slice(0, 500));
    });
    page.on('pageerror', (e) => {
      if (summary.console.length < 20) summary.console.push('page error: ' + String(e).slice(0, 500));
    });
    const state = () => page.evaluate(pageState);

    // 1. JupyterLab with the notebook, a fresh workspace ("reset").
    const url = `${opts.url.replace(/\/$/, '')}/lab/tree/${opts.notebook.split('/').map(encodeURIComponent).join('/')}?token=${encodeURIComponent(opts.token)}&reset`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.waitForSelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell', { timeout: 120_000 });
    log('JupyterLab loaded the notebook');

    // 2. The kernel: the toolbar names it; "unknown" is what JupyterLab shows for gonb until the
    //    first execution (gonb publishes no status at connection), so it counts as ready.
    let s;
    let stableSince = 0;
    for (const deadline = Math.min(Date.now() + 120_000, end); ; await sleep(1000)) {
      s = await state();
      if (s.dialogs.length) throw new Error(`dialog while starting the kernel: ${s.dialogs.join(' | ')}`);
      const ready = s.kernel && !/no kernel/i.test(s.kernel) && ['idle', 'unknown'].includes(s.status);
      if (ready && !stableSince) stableSince = Date.now();
      if (!ready) stableSince = 0;
      if (stableSince && Date.now() - stableSince >= 2000) break;
      if (Date.now() > deadline) throw new Error(`kernel not ready after ${seconds()} s (kernel ${JSON.stringify(s.kernel)}, status ${JSON.stringify(s.status)})`);
    }
    summary.kernel = s.kernel;
    log(`kernel ${s.kernel} (${s.status})`);

    // 3. Outputs saved in the file would pass the checks without running anything: clear them.
    await clickMenu(page, 'Edit', 'Clear Outputs of All Cells');
    s = await state();
    if (s.figures.length || s.executed) throw new Error(`outputs still shown after clearing them (${s.figures.length} figures, ${s.executed} prompts with a number)`);

    // 4. Run > Run All Cells, then wait until no cell is queued or running and the kernel is idle.
    const runStart = Date.now();
    await clickMenu(page, 'Run', 'Run All Cells');
    log('Run > Run All Cells');
    let sawRunning = false;
    let quietSince = 0;
    let lastSig = '';
    let lastLog = 0;
    for (const deadline = end; ; await sleep(2000)) {
      s = await state();
      if (s.running > 0 || s.status === 'busy' || s.executed > 0) sawRunning = true;
      const sig = hash(s.signature) + '/' + s.prompts.join('');
      const idle = sawRunning && s.running === 0 && s.status === 'idle';
      // A notebook whose last cell keeps running to serve its widgets (a slider) is done once that
      // cell shows the slider and nothing has changed for 10 s.
      let serving = false;
      if (opts.slider && s.running === 1 && s.prompts[s.prompts.length - 1].includes('*')) {
        serving = (await page.evaluate(findSlider, opts.slider)).selector !== '';
      }
      if ((idle || serving) && sig === lastSig) {
        if (!quietSince) quietSince = Date.now();
        if (Date.now() - quietSince >= (idle ? 3000 : 10_000)) break;
      } else {
        quietSince = 0;
      }
      lastSig = sig;
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`status ${s.status}, ${s.executed}/${s.prompts.length} cells executed, ${s.running} queued or running, ${s.figures.length} figures`);
      }
      if (s.dialogs.length) throw new Error(`dialog while running: ${s.dialogs.join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`still running at the end of the ${opts.timeout}-s budget (--timeout): prompts ${s.prompts.join(' ')}, status ${s.status}`);
    }
    summary.runSeconds = Math.round((Date.now() - runStart) / 100) / 10;
    summary.cells = s.prompts.length;
    summary.executed = s.executed;
    summary.errors = s.errors;
    summary.figures = s.figures.length;
    summary.figureSizes = s.figures.map((f) => `${f.tag} ${f.width}x${f.height} (cell ${f.cell})`);
    summary.dialogs = s.dialogs;
    log(`ran in ${summary.runSeconds} s: ${s.executed}/${s.prompts.length} cells executed, ${s.errors.length} errors, ${s.figures.length} figures`);
    summary.screenshot = path.join(opts.out, base + '.png');
    await screenshot(page, summary.screenshot, opts);

    // 5. The slider, if asked for.
    if (opts.slider) {
      const sl = { target: opts.slider, value: String(opts.value), found: false, how: '', before: '', after: '', changed: false, changedSeconds: 0, idle: false, seconds: 0, screenshot: '', figures: 0, errors: [] };
      summary.slider = sl;
      const found = await page.evaluate(findSlider, opts.slider);
      if (!found.selector) {
        sl.found = false;
        log(`no range input matches ${JSON.stringify(opts.slider)} (${found.ranges} range inputs on the page)`);
      } else {
        sl.found = true;
        sl.how = found.how;
        const before = hash((await state()).signature);
        const t0 = Date.now();
        await page.locator(found.selector).scrollIntoViewIfNeeded();
        const set = await page.evaluate(setSlider, { selector: found.selector, value: opts.value });
        sl.before = set.before;
        sl.after = set.after;
        log(`slider ${found.selector} (${found.how}): ${set.before} -> ${set.after} (range ${set.min}..${set.max})`);
        let last = before;
        let steadySince = 0;
        for (const deadline = Math.min(Date.now() + opts.sliderTimeout * 1000, end); Date.now() < deadline; await sleep(1000)) {
          s = await state();
          const sig = hash(s.signature);
          if (sig !== before && !sl.changed) {
            sl.changed = true;
            sl.changedSeconds = Math.round((Date.now() - t0) / 100) / 10;
          }
          // A cell that keeps running to serve its widgets keeps the kernel busy: with only that
          // cell running, an unchanged page counts as quiet.
          const serving = s.running === 1 && s.prompts.length > 0 && s.prompts[s.prompts.length - 1].includes('*');
          const quiet = sig === last && (s.status !== 'busy' || serving);
          last = sig;
          if (!quiet) { steadySince = 0; continue; }
          if (!steadySince) steadySince = Date.now();
          // Done when the figures changed and settled, or when the kernel is idle and nothing
          // changed for 15 s.
          if ((sl.changed && Date.now() - steadySince >= 3000) || (s.status === 'idle' && Date.now() - steadySince >= 15_000)) break;
        }
        sl.idle = s.status === 'idle' && s.running === 0;
        sl.seconds = Math.round((Date.now() - t0) / 100) / 10;
        sl.figures = s.figures.length;
        sl.errors = s.errors;
        log(`after the slider: figures ${sl.changed ? 'changed' : 'unchanged'}, kernel ${s.status}, ${s.running} cells running`);
        sl.screenshot = path.join(opts.out, base + '-slider.png');
        await screenshot(page, sl.screenshot, opts);
      }
    }
    summary.ok = true;
  } catch (e) {
    summary.failure = String(e && e.message ? e.message : e).split('\n')[0].slice(0, 1000);
    try {
      const page = context?.pages()[0];
      if (page) {
        summary.screenshot = path.join(opts.out, base + '-failure.png');
        await screenshot(page, summary.screenshot, opts);
      }
    } catch (e2) { /* the browser is gone */ }
  } finally {
    summary.seconds = seconds();
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log('RESULT ' + JSON.stringify(summary));
  return summary.ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('run.mjs')) {
  main().then((code) => process.exit(code), (e) => {
    console.error(String(e && e.stack ? e.stack : e));
    console.log('RESULT ' + JSON.stringify({ ok: false, failure: String(e && e.message ? e.message : e) }));
    process.exit(2);
  });
}
