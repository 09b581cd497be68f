// Compiles every .sol file of this folder with solc-js and prints, as JSON on stdout, the
// creation bytecode (hex, no 0x) of each contract: {"compiler": ..., "contracts": {Name: hex}}.
// Installs solc (pinned in package.json) into ./node_modules on first use.
// Run: node tests/solidity/compile.js
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const dir = __dirname;
if (!fs.existsSync(path.join(dir, 'node_modules', 'solc'))) {
  // Progress goes to stderr: stdout carries only the JSON.
  execSync('npm install --no-audit --no-fund', { cwd: dir, stdio: ['ignore', process.stderr, process.stderr] });
}
const solc = require(path.join(dir, 'node_modules', 'solc'));

const sources = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(dir, f), 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of out.errors || []) {
  if (e.severity === 'error') {
    console.error(e.formattedMessage);
    failed = true;
  }
}
if (failed) process.exit(1);
const contracts = {};
for (const file of Object.keys(out.contracts || {})) {
  for (const [name, c] of Object.entries(out.contracts[file])) {
    if (c.evm.bytecode.object.length > 0) contracts[name] = c.evm.bytecode.object;
  }
}
process.stdout.write(JSON.stringify({ compiler: solc.version(), contracts }) + '\n');
