// Compiles every .sol file of a folder with solc-js and prints, as JSON on stdout, the
// creation bytecode (hex, no 0x) of each contract defined in that folder's files:
// {"compiler": ..., "contracts": {Name: hex}}.
// The folder is the first argument, relative to this script's folder (default: this folder).
// Options: --via-ir (the IR pipeline), --no-optimize (the optimizer off; default: on, 200 runs).
// Imports of `@openzeppelin/...` (and other packages) resolve from ./node_modules; other
// imports resolve relative to the folder.
// Installs the packages pinned in package.json (solc, @openzeppelin/contracts) into
// ./node_modules on first use.
// Run: node tests/solidity/compile.js [oz] [--via-ir] [--no-optimize]
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const dir = __dirname;
const modules = path.join(dir, 'node_modules');
const pinned = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies;
const installed = (name) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version;
  } catch (e) {
    return null;
  }
};
if (!Object.entries(pinned).every(([name, version]) => installed(name) === version)) {
  // Progress goes to stderr: stdout carries only the JSON.
  execSync('npm install --no-audit --no-fund', { cwd: dir, stdio: ['ignore', process.stderr, process.stderr] });
}
const solc = require(path.join(modules, 'solc'));

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
for (const f of flags) {
  if (f !== '--via-ir' && f !== '--no-optimize') {
    console.error(`compile.js: unknown option ${f}`);
    process.exit(1);
  }
}
const folder = path.resolve(dir, args.find((a) => !a.startsWith('--')) || '.');
if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`compile.js: ${folder} is not a folder`);
  process.exit(1);
}
const sources = {};
for (const f of fs.readdirSync(folder).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(folder, f), 'utf8') };
}
if (Object.keys(sources).length === 0) {
  console.error(`compile.js: no .sol file in ${folder}`);
  process.exit(1);
}

// solc-js asks for every source it does not have: package imports come from node_modules,
// the rest from the folder (never from outside either).
function findImport(name) {
  const inside = (root) => {
    const file = path.resolve(root, name);
    return file.startsWith(root + path.sep) ? file : null;
  };
  const file = name.startsWith('@') ? inside(modules) : inside(folder);
  if (file === null) return { error: `import ${name} leaves its root` };
  try {
    return { contents: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: `import ${name}: ${e.message}` };
  }
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: !flags.has('--no-optimize'), runs: 200 },
    evmVersion: 'cancun',
    ...(flags.has('--via-ir') ? { viaIR: true } : {}),
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
let failed = false;
for (const e of out.errors || []) {
  if (e.severity === 'error') {
    console.error(e.formattedMessage);
    failed = true;
  }
}
if (failed) process.exit(1);
const contracts = {};
// Only the contracts of the folder's own files: imported libraries are linked in by solc.
for (const file of Object.keys(sources)) {
  for (const [name, c] of Object.entries((out.contracts || {})[file] || {})) {
    if (c.evm.bytecode.object.length > 0) {
      if (name in contracts) {
        console.error(`compile.js: contract ${name} is defined twice`);
        process.exit(1);
      }
      contracts[name] = c.evm.bytecode.object;
    }
  }
}
process.stdout.write(JSON.stringify({ compiler: solc.version(), contracts }) + '\n');
