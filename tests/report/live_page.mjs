// Watches a live study page (typetune serve) in headless Chromium through the DevTools
// protocol, as a person would leave it open beside a search: it loads the page, then reads
// what the page shows (<body data-*>: table rows, history marks, updates) every 250 ms, and
// collects every console error, uncaught exception and failed load. It stops once the file
// DONE_FILE holds the study's final trial count and the page shows that many rows, or after
// TIMEOUT seconds, or 10 s after DONE_FILE appears; then it saves a screenshot and prints one JSON line with the first and last
// readings and the errors. Node 20 with --experimental-websocket; nothing from npm.
//   node --experimental-websocket live_page.mjs <chromium> <page URL> <out dir> <DONE_FILE> <TIMEOUT>
// Writes <out dir>/loaded when the page has loaded (the self-check stops the server then).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const [chromium, pageUrl, out, doneFile, timeoutText] = process.argv.slice(2);
let deadline = Date.now() + 1000 * Number(timeoutText);
mkdirSync(out, { recursive: true });

const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--remote-debugging-port=0', `--user-data-dir=${out}/profile`, '--window-size=1280,2400', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function fail(message) {
  console.log(JSON.stringify({ error: message }));
  browser.kill('SIGKILL');
  process.exit(1);
}

// Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
const port = await new Promise((resolve) => {
  let text = '';
  browser.stderr.on('data', (chunk) => {
    text += chunk;
    const m = text.match(/DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) resolve(m[1]);
  });
  browser.on('exit', () => resolve(null));
  setTimeout(() => resolve(null), 30000);
});
if (!port) fail('chromium did not open its DevTools port');
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const target = targets.find((t) => t.type === 'page');
if (!target) fail('chromium has no page');

const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = () => reject(new Error('DevTools socket'));
});
let nextId = 1;
const pending = new Map();
const errors = [];
const waiters = new Map();
socket.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
    return;
  }
  if (msg.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(msg.params.type))
    errors.push(`console.${msg.params.type}: ${msg.params.args.map((a) => a.value ?? a.description).join(' ')}`);
  if (msg.method === 'Runtime.exceptionThrown') {
    const d = msg.params.exceptionDetails;
    errors.push(`uncaught: ${d.exception ? d.exception.description : d.text}`);
  }
  if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error')
    errors.push(`log: ${msg.params.entry.text} ${msg.params.entry.url ?? ''}`);
  if (waiters.has(msg.method)) {
    waiters.get(msg.method)();
    waiters.delete(msg.method);
  }
};
function send(method, params = {}) {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve) => pending.set(id, resolve));
}
async function dataset() {
  const r = await send('Runtime.evaluate', {
    expression: 'JSON.stringify(Object.assign({}, document.body ? document.body.dataset : {}))',
    returnByValue: true,
  });
  return JSON.parse(r.result?.result?.value ?? '{}');
}

await send('Runtime.enable');
await send('Log.enable');
await send('Page.enable');
const loaded = new Promise((resolve) => waiters.set('Page.loadEventFired', resolve));
await send('Page.navigate', { url: pageUrl });
await Promise.race([loaded, sleep(20000)]);
const readings = [await dataset()];
writeFileSync(`${out}/loaded`, 'yes\n');

let expected = null;
while (Date.now() < deadline) {
  await sleep(250);
  const now = await dataset();
  readings.push(now);
  if (expected === null && existsSync(doneFile)) {
    const text = readFileSync(doneFile, 'utf8').trim();
    if (text !== '') {
      expected = Number(text);
      deadline = Math.min(deadline, Date.now() + 10000);  // the page has 10 s to catch up
    }
  }
  if (expected !== null && Number(now.tableRows) === expected && Number(now.historyPoints) === expected) break;
}
const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
if (shot.result?.data) writeFileSync(`${out}/live.png`, Buffer.from(shot.result.data, 'base64'));
writeFileSync(`${out}/readings.json`, JSON.stringify(readings, null, 1));
console.log(JSON.stringify({ first: readings[0], last: readings[readings.length - 1], expected, errors,
                             readings: readings.length }));
socket.close();
browser.kill('SIGTERM');
process.exit(0);
