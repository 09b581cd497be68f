// Prints solc's storage layout of contract `Layout` in layout.sol (this folder) as JSON:
// [{"label", "slot", "offset", "type"}, ...]. Uses the solc-js that tests/solidity pins
// (npm installs it there on first use).
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const pkg = path.resolve(__dirname, '../../../../tests/solidity');
const solcDir = path.join(pkg, 'node_modules', 'solc');
if (!fs.existsSync(solcDir)) {
  execSync('npm install --no-audit --no-fund', { cwd: pkg, stdio: ['ignore', process.stderr, process.stderr] });
}
const solc = require(solcDir);
const input = {
  language: 'Solidity',
  sources: { 'layout.sol': { content: fs.readFileSync(path.join(__dirname, 'layout.sol'), 'utf8') } },
  settings: { outputSelection: { '*': { '*': ['storageLayout'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join('\n'));
  process.exit(1);
}
const storage = out.contracts['layout.sol'].Layout.storageLayout.storage;
console.log(JSON.stringify(storage.map((s) => ({ label: s.label, slot: s.slot, offset: s.offset, type: s.type }))));
