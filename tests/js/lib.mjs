// Shared by the client tests: the Solidity contract (compiled here with solc-js), the WASM
// examples wrapped in envelopes, wasm-deploy, and small checks. Each test script takes the
// node's URL as its first argument and exits non-zero on the first failed check.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MNEMONIC = 'test test test test test test test test test test test junk';
export const CHAIN_ID = 31337;

export const rpcUrl = process.argv[2];
if (!rpcUrl) {
  console.error(`usage: node ${process.argv[1]} RPC_URL`);
  process.exit(2);
}

/** Fails the script with `message` when `cond` is false. */
export function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}

/** Prints one step of the test. */
export function step(name, detail = '') {
  console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`);
}

/** Runs `fn` and returns the error it throws (fails when it does not throw). */
export async function rejects(fn, what) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error(`check failed: ${what} did not fail`);
}

// Store: a custom error, an event, a payable fallback, and a call into a WASM counter.
export const STORE_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

interface ICounter {
    function increment() external;
    function get() external view returns (uint256);
}

contract Store {
    error TooLarge(uint256 value, uint256 limit);
    event Stored(address indexed who, uint256 value);

    uint256 public value;

    constructor(uint256 initial) {
        value = initial;
    }

    function set(uint256 v) external {
        if (v > 1000) revert TooLarge(v, 1000);
        value = v;
        emit Stored(msg.sender, v);
    }

    /// Increments a counter of any kind and returns its new count.
    function bump(address counter) external returns (uint256) {
        ICounter(counter).increment();
        return ICounter(counter).get();
    }

    receive() external payable {}
}
`;

/**
 * Compiles Solidity `sources` ({ file: { content } }) with solc-js for Cancun, optimizer on:
 * solc's `contracts` output (abi and bytecode of each); a compile error throws.
 */
export function compileSolidity(sources) {
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  for (const e of out.errors || []) {
    if (e.severity === 'error') throw new Error(e.formattedMessage);
  }
  return out.contracts;
}

/** Compiles Store with solc-js: { abi, bytecode } (bytecode as 0x hex). */
export function compileStore() {
  const c = compileSolidity({ 'Store.sol': { content: STORE_SOURCE } })['Store.sol'].Store;
  return { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object, compiler: solc.version() };
}

/** The WASM example `name` built by examples/build.sh. */
export function exampleWasm(name) {
  const path = join(root, 'examples', 'out', `${name}.wasm`);
  try {
    return readFileSync(path);
  } catch {
    throw new Error(`${path} is missing: build the examples with examples/build.sh`);
  }
}

/** The envelope (host-abi's layout) of a WASM module, with `args` (0x hex) after it. */
export function envelope(wasm, { constants = Buffer.alloc(0), args = '0x', kind = 1 } = {}) {
  const header = Buffer.from([0xef, 0x5a, kind, 0]);
  const clen = Buffer.alloc(4);
  clen.writeUInt32BE(constants.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(wasm.length);
  const tail = Buffer.from(args.replace(/^0x/, ''), 'hex');
  return '0x' + Buffer.concat([header, clen, constants, len, wasm, tail]).toString('hex');
}

export const COUNTER_ABI = [
  'function increment()',
  'function get() view returns (uint256)',
  'event Incremented(address indexed by, uint256 value)',
];

export const CALLER_ABI = [
  'function forward(address target, uint256 gas, bytes data) payable returns (bytes)',
];

/** Deploys `file` with the wasm-deploy binary ($WASM_DEPLOY): { address, tx, report }. */
export function wasmDeploy(file, args = []) {
  const bin = process.env.WASM_DEPLOY || join(root, 'target', 'release', 'wasm-deploy');
  const report = execFileSync(bin, [file, '--rpc', rpcUrl, ...args], { encoding: 'utf8' });
  const m = report.match(/^deployed (0x[0-9a-fA-F]{40}) in transaction (0x[0-9a-fA-F]{64})$/m);
  if (!m) throw new Error(`wasm-deploy printed no address:\n${report}`);
  return { address: m[1], tx: m[2], report };
}
