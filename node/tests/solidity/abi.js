// Compiles the .sol files given as arguments (each on its own, no imports) with solc-js and
// prints, as JSON on stdout, each contract's JSON ABI and method identifiers, and every
// diagnostic: {"contracts": {Name: {"abi": [...], "methodIdentifiers": {...}}},
// "diagnostics": [{"severity", "message"}]}. Exits 1 if solc reports an error.
// solc-js comes from tests/solidity/node_modules (installed by tests/solidity/compile.js or
// scripts/setup.sh; installed here on first use too).
// Run: node node/tests/solidity/abi.js FILE.sol...
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '../../../tests/solidity');
const modules = path.join(pkgDir, 'node_modules');
if (!fs.existsSync(path.join(modules, 'solc', 'package.json'))) {
  execSync('npm install --no-audit --no-fund', { cwd: pkgDir, stdio: ['ignore', process.stderr, process.stderr] });
}
const solc = require(path.join(modules, 'solc'));

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('abi.js: no .sol file given');
  process.exit(1);
}
const sources = {};
for (const f of files) {
  sources[path.basename(f)] = { content: fs.readFileSync(f, 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: { outputSelection: { '*': { '*': ['abi', 'evm.methodIdentifiers'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const diagnostics = (out.errors || []).map((e) => ({ severity: e.severity, message: e.formattedMessage }));
const contracts = {};
for (const file of Object.keys(out.contracts || {})) {
  for (const [name, c] of Object.entries(out.contracts[file])) {
    contracts[name] = { abi: c.abi, methodIdentifiers: c.evm.methodIdentifiers };
  }
}
process.stdout.write(JSON.stringify({ compiler: solc.version(), contracts, diagnostics }) + '\n');
process.exit(diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
