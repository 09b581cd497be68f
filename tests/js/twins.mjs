// The macro examples against their Solidity twins on `zkos node`, through ethers v6: the
// vault (Vault.sol), the ERC-20 (Token.sol) and the ERC-721 (Nft.sol, with Receiver.sol as
// the safeTransferFrom target). Each WASM contract (ethers Contract built from the ABI
// embedded in the module, printed by `zkos abi`) and its twin (solc-js, its ABI) receive the
// same calls from the same accounts, one after the other; for every call the outcome must be
// the same on both: the eth_call result or decoded error, the mined status, the decoded
// events (the emitting contract named, not addressed), the ether each account and contract
// gained (the sender's fee added back: gas differs and is not compared), and the views read
// afterwards. Exits non-zero on the first difference.
import { ethers } from 'ethers';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import solc from 'solc';
import { MNEMONIC, check, compileSolidity, envelope, exampleWasm, root, rpcUrl, step } from './lib.mjs';

const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 50, cacheTimeout: -1 });
const dev = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
const [alice, bob, carol] = [dev(0), dev(1), dev(2)];
const abiCoder = ethers.AbiCoder.defaultAbiCoder();
/** Gas limit of a call that eth_call says fails: sent anyway, to be mined as a failure. */
const FAILING_GAS = 2_000_000n;

/** solc-js output for the Solidity sources `files` (paths under the repository). */
function compile(files) {
  return compileSolidity(Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(root, f), 'utf8') }])));
}

/** The JSON ABI embedded in examples/out/NAME.wasm, as `zkos abi` prints it. */
function embeddedAbi(name) {
  const bin = process.env.ZKOS || join(root, 'target', 'release', 'zkos');
  return JSON.parse(execFileSync(bin, ['abi', join(root, 'examples', 'out', `${name}.wasm`)], { encoding: 'utf8' }));
}

/**
 * A fragment's identity for comparing ABIs: kind, signature, indexed flags, outputs and
 * state mutability (`pure`, `view`, `nonpayable`, `payable`: the macro has each).
 */
function fragmentKey(f) {
  if (f.type === 'constructor') return `constructor(${f.inputs.map((i) => i.type).join(',')})${f.payable ? ' payable' : ''}`;
  const sig = f.type === 'event' ? f.format('full') : f.format('sighash');
  if (f.type !== 'function') return `${f.type} ${sig}`;
  return `function ${sig} -> (${f.outputs.map((o) => o.type).join(',')}) ${f.stateMutability}`;
}

/** Checks that the embedded ABI and solc's describe the same interface. */
function sameInterface(label, wasmAbi, solAbi) {
  const keys = (abi) => new ethers.Interface(abi).fragments.map(fragmentKey).sort();
  const [a, b] = [keys(wasmAbi), keys(solAbi)];
  const onlyWasm = a.filter((k) => !b.includes(k));
  const onlySol = b.filter((k) => !a.includes(k));
  check(onlyWasm.length === 0 && onlySol.length === 0, `${label} ABIs differ: only in the WASM ${JSON.stringify(onlyWasm)}, only in solc's ${JSON.stringify(onlySol)}`);
}

/** Deploys init code `data` from `signer`: its address. */
async function deploy(signer, data) {
  const receipt = await (await signer.sendTransaction({ data })).wait();
  check(receipt.status === 1 && receipt.contractAddress, 'deployment receipt');
  return receipt.contractAddress;
}

/** A WASM example and its twin deployed with the same constructor arguments. */
async function deployPair(label, wasmName, solFile, solName, ctorTypes, ctorArgs, contracts) {
  const wasmAbi = embeddedAbi(wasmName);
  const sol = contracts[solFile][solName];
  sameInterface(label, wasmAbi, sol.abi);
  const args = abiCoder.encode(ctorTypes, ctorArgs);
  const wasmAddr = await deploy(alice, envelope(exampleWasm(wasmName), { args }));
  const solAddr = await deploy(alice, '0x' + sol.evm.bytecode.object + args.slice(2));
  const code = await provider.getCode(wasmAddr);
  check(code.startsWith('0xef5a01'), `${label}: the WASM side holds an envelope (${code.slice(0, 10)})`);
  step(`${label} deployed`, `WASM ${wasmAddr}, Solidity ${solAddr}`);
  return [
    { side: 'wasm', address: wasmAddr, contract: new ethers.Contract(wasmAddr, wasmAbi, alice) },
    { side: 'solidity', address: solAddr, contract: new ethers.Contract(solAddr, sol.abi, alice) },
  ];
}

/** JSON with bigints as decimal strings, addresses checksummed, the given addresses named. */
function normalize(value, names) {
  const walk = (v) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string' && ethers.isAddress(v) && v.length === 42) {
      const a = ethers.getAddress(v);
      return names.get(a) ?? a;
    }
    if (v instanceof ethers.Result) return walk(v.toArray());
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(value));
}

/**
 * The decoded error of a failed call: the custom error's name and arguments (from the
 * contract's ABI, else from `others`, e.g. a receiver's whose revert is bubbled), or the data.
 */
function decodedError(e, contract, others = []) {
  check(e.code === 'CALL_EXCEPTION', `unexpected error ${e.code}: ${e.message}`);
  if (e.revert) return { error: e.revert.name, args: e.revert.args };
  const data = e.data ?? '0x';
  if (data && data !== '0x') {
    for (const iface of [contract.interface, ...others]) {
      const parsed = iface.parseError(data);
      if (parsed) return { error: parsed.name, args: parsed.args };
    }
  }
  return { error: null, data };
}

/** Decodes each log with the interfaces in `ifaces` ({ address → Interface }). */
function decodeLogs(logs, ifaces, names) {
  return logs.map((log) => {
    const at = ethers.getAddress(log.address);
    const iface = ifaces.get(at);
    const parsed = iface?.parseLog(log);
    check(parsed, `a log nobody can decode from ${at}: ${log.topics}`);
    return { emitter: names.get(at) ?? at, event: parsed.name, args: parsed.args };
  });
}

/**
 * Runs one call (`method` with `args` and `overrides` from `signer`) on each side: eth_call
 * first (result or decoded error), then the transaction (mined even when it fails), and
 * returns the normalized outcome of each side. `watch` lists addresses whose ether is
 * tracked (the sender's fee is added back).
 */
async function callOn(side, signer, method, args, overrides, watch, extraIfaces) {
  const c = side.contract.connect(signer);
  const names = new Map([[ethers.getAddress(side.address), 'SELF']]);
  const ifaces = new Map([[ethers.getAddress(side.address), c.interface], ...extraIfaces]);
  const outcome = {};
  try {
    outcome.call = { ok: await c[method].staticCall(...args, overrides) };
  } catch (e) {
    outcome.call = decodedError(e, c, extraIfaces.map(([, iface]) => iface));
  }
  const tracked = [signer.address, side.address, ...watch];
  const before = await Promise.all(tracked.map((a) => provider.getBalance(a)));
  const gasLimit = outcome.call.error === undefined ? undefined : FAILING_GAS;
  const tx = await c[method](...args, { ...overrides, gasLimit });
  let receipt;
  try {
    receipt = await tx.wait();
  } catch (e) {
    check(e.code === 'CALL_EXCEPTION' && e.receipt, `waiting for ${method}: ${e.message}`);
    receipt = e.receipt;
  }
  const after = await Promise.all(tracked.map((a) => provider.getBalance(a)));
  const fee = receipt.gasUsed * receipt.gasPrice;
  outcome.status = receipt.status;
  outcome.events = decodeLogs(receipt.logs, ifaces, names);
  outcome.ether = tracked.map((a, i) => [a, after[i] - before[i] + (i === 0 ? fee : 0n)]);
  check(
    (receipt.status === 1) === (outcome.call.error === undefined),
    `${side.side} ${method}: eth_call and the mined transaction disagree (status ${receipt.status})`,
  );
  return normalize(outcome, names);
}

/** The same call on both twins; fails when their outcomes differ. Returns the outcome. */
async function both(pair, label, signer, method, args = [], overrides = {}, { watch = [], ifaces = [] } = {}) {
  const [w, s] = [
    await callOn(pair[0], signer, method, args, overrides, watch, ifaces),
    await callOn(pair[1], signer, method, args, overrides, watch, ifaces),
  ];
  check(w === s, `${label} differs:\n  WASM     ${w}\n  Solidity ${s}`);
  step(label, w.length > 200 ? `${w.slice(0, 200)}…` : w);
  return JSON.parse(w);
}

/** The same view on both twins (result or decoded error), and the ether each holds. */
async function views(pair, label, calls) {
  const read = async (side) => {
    const names = new Map([[ethers.getAddress(side.address), 'SELF']]);
    const out = [['ether', await provider.getBalance(side.address)]];
    for (const [method, ...args] of calls) {
      try {
        out.push([method, args, await side.contract[method](...args)]);
      } catch (e) {
        out.push([method, args, decodedError(e, side.contract)]);
      }
    }
    return normalize(out, names);
  };
  const [w, s] = [await read(pair[0]), await read(pair[1])];
  check(w === s, `${label} views differ:\n  WASM     ${w}\n  Solidity ${s}`);
  step(`${label} views`, w.length > 200 ? `${w.slice(0, 200)}…` : w);
}

/** Expects an outcome's eth_call to have failed with `name` (a sanity check of the test). */
function expectError(outcome, name) {
  check(outcome.call.error === name && outcome.status === 0, `expected ${name}, got ${JSON.stringify(outcome.call)}`);
}

const contracts = compile(['examples/vault/Vault.sol', 'examples/erc20-macro/Token.sol', 'examples/erc721-macro/Nft.sol', 'examples/erc721-macro/Receiver.sol']);
step('twins compiled', `solc ${solc.version()}`);

// The vault: deposits with value, withdrawals within and beyond the balance, value sent to
// a non-payable function, an unknown selector.
{
  const vault = await deployPair('vault', 'vault', 'examples/vault/Vault.sol', 'Vault', [], [], contracts);
  const look = (tag) => views(vault, tag, [['balanceOf', alice.address], ['balanceOf', bob.address], ['totalDeposits']]);
  await both(vault, 'vault deposit 1 ETH (alice)', alice, 'deposit', [], { value: ethers.parseEther('1') });
  await both(vault, 'vault deposit 0.25 ETH (bob)', bob, 'deposit', [], { value: ethers.parseEther('0.25') });
  await both(vault, 'vault deposit 0 (bob)', bob, 'deposit', [], { value: 0n });
  await look('vault after deposits');
  await both(vault, 'vault withdraw 0.4 ETH (alice)', alice, 'withdraw', [ethers.parseEther('0.4')]);
  expectError(await both(vault, 'vault withdraw beyond the balance (bob)', bob, 'withdraw', [ethers.parseEther('0.3')]), 'InsufficientBalance');
  const paid = await both(vault, 'vault withdraw with value (non-payable)', alice, 'withdraw', [1n], { value: 5n });
  check(paid.status === 0 && paid.call.data === '0x', `value to withdraw reverts with empty data: ${JSON.stringify(paid.call)}`);
  await both(vault, 'vault withdraw everything (bob)', bob, 'withdraw', [ethers.parseEther('0.25')]);
  await both(vault, 'vault withdraw 0 (carol, nothing deposited)', carol, 'withdraw', [0n]);
  await look('vault at the end');
  // An unknown selector and plain ether: both revert with empty data on each side.
  for (const [what, tx] of [['unknown selector', { data: '0xdeadbeef' }], ['plain ether', { value: 1n }]]) {
    const res = [];
    for (const side of vault) {
      let r;
      try {
        r = { ok: await provider.call({ ...tx, to: side.address, from: alice.address }) };
      } catch (e) {
        r = decodedError(e, side.contract);
      }
      res.push(JSON.stringify(r));
    }
    check(res[0] === res[1], `vault ${what} differs: WASM ${res[0]}, Solidity ${res[1]}`);
    step(`vault ${what}`, res[0]);
  }
}

// The ERC-20: transfers, approvals, transferFrom within and beyond the allowance, the
// infinite allowance, each custom error.
{
  const supply = 1_000_000n * 10n ** 18n;
  const token = await deployPair('erc20', 'erc20-macro', 'examples/erc20-macro/Token.sol', 'Token', ['string', 'string', 'uint256'], ['Zk Token', 'ZKT', supply], contracts);
  const look = (tag) => views(token, tag, [
    ['name'], ['symbol'], ['decimals'], ['totalSupply'],
    ['balanceOf', alice.address], ['balanceOf', bob.address], ['balanceOf', carol.address],
    ['allowance', alice.address, bob.address], ['allowance', bob.address, carol.address],
  ]);
  await look('erc20 after the constructor');
  await both(token, 'erc20 transfer 100 alice -> bob', alice, 'transfer', [bob.address, 100n]);
  expectError(await both(token, 'erc20 transfer beyond the balance (bob)', bob, 'transfer', [carol.address, 101n]), 'ERC20InsufficientBalance');
  expectError(await both(token, 'erc20 transfer to address(0)', alice, 'transfer', [ethers.ZeroAddress, 1n]), 'ERC20InvalidReceiver');
  expectError(await both(token, 'erc20 approve address(0)', alice, 'approve', [ethers.ZeroAddress, 1n]), 'ERC20InvalidSpender');
  await both(token, 'erc20 approve bob for 50', alice, 'approve', [bob.address, 50n]);
  await both(token, 'erc20 transferFrom 30 by bob', bob, 'transferFrom', [alice.address, carol.address, 30n]);
  expectError(await both(token, 'erc20 transferFrom beyond the allowance', bob, 'transferFrom', [alice.address, carol.address, 21n]), 'ERC20InsufficientAllowance');
  expectError(await both(token, 'erc20 transferFrom without an allowance (carol)', carol, 'transferFrom', [alice.address, carol.address, 1n]), 'ERC20InsufficientAllowance');
  await both(token, 'erc20 approve carol without limit (bob)', bob, 'approve', [carol.address, ethers.MaxUint256]);
  await both(token, 'erc20 transferFrom on the infinite allowance', carol, 'transferFrom', [bob.address, alice.address, 60n]);
  expectError(await both(token, 'erc20 transferFrom beyond the balance', carol, 'transferFrom', [bob.address, alice.address, 41n]), 'ERC20InsufficientBalance');
  const paid = await both(token, 'erc20 transfer with value (non-payable)', alice, 'transfer', [bob.address, 1n], { value: 1n });
  check(paid.status === 0 && paid.call.data === '0x', `value to transfer reverts with empty data: ${JSON.stringify(paid.call)}`);
  await both(token, 'erc20 transfer 0 to self', alice, 'transfer', [alice.address, 0n]);
  await look('erc20 at the end');
}

// The ERC-721: mint, approvals, transfers by owner, approved account and operator, each
// custom error, and safeTransferFrom to an EOA and to a Receiver in each of its modes.
{
  const receiverSol = contracts['examples/erc721-macro/Receiver.sol'].Receiver;
  const receiverAddr = await deploy(alice, '0x' + receiverSol.evm.bytecode.object);
  const receiver = new ethers.Contract(receiverAddr, receiverSol.abi, alice);
  const withReceiver = { ifaces: [[ethers.getAddress(receiverAddr), receiver.interface]] };
  const nft = await deployPair('erc721', 'erc721-macro', 'examples/erc721-macro/Nft.sol', 'Nft', ['string', 'string'], ['Zk Nft', 'ZKN'], contracts);
  const look = (tag) => views(nft, tag, [
    ['name'], ['symbol'], ['supportsInterface', '0x80ac58cd'], ['supportsInterface', '0x01ffc9a7'], ['supportsInterface', '0xffffffff'],
    ['balanceOf', alice.address], ['balanceOf', bob.address], ['balanceOf', receiverAddr], ['balanceOf', ethers.ZeroAddress],
    ['ownerOf', 1n], ['ownerOf', 2n], ['ownerOf', 3n], ['ownerOf', 99n],
    ['getApproved', 1n], ['getApproved', 99n], ['isApprovedForAll', alice.address, carol.address],
  ]);
  await both(nft, 'erc721 mint 1 to alice', alice, 'mint', [alice.address, 1n]);
  await both(nft, 'erc721 mint 2 to alice (by bob)', bob, 'mint', [alice.address, 2n]);
  await both(nft, 'erc721 mint 3 to bob', bob, 'mint', [bob.address, 3n]);
  expectError(await both(nft, 'erc721 mint an existing token', alice, 'mint', [bob.address, 1n]), 'ERC721InvalidSender');
  expectError(await both(nft, 'erc721 mint to address(0)', alice, 'mint', [ethers.ZeroAddress, 4n]), 'ERC721InvalidReceiver');
  await look('erc721 after mints');
  expectError(await both(nft, 'erc721 approve by a stranger', bob, 'approve', [bob.address, 1n]), 'ERC721InvalidApprover');
  expectError(await both(nft, 'erc721 approve a missing token', alice, 'approve', [bob.address, 99n]), 'ERC721NonexistentToken');
  await both(nft, 'erc721 approve bob for 1', alice, 'approve', [bob.address, 1n]);
  expectError(await both(nft, 'erc721 transferFrom by a stranger', carol, 'transferFrom', [alice.address, carol.address, 2n]), 'ERC721InsufficientApproval');
  expectError(await both(nft, 'erc721 transferFrom a missing token', carol, 'transferFrom', [alice.address, carol.address, 99n]), 'ERC721NonexistentToken');
  expectError(await both(nft, 'erc721 transferFrom the wrong owner', bob, 'transferFrom', [carol.address, bob.address, 1n]), 'ERC721IncorrectOwner');
  expectError(await both(nft, 'erc721 transferFrom to address(0)', alice, 'transferFrom', [alice.address, ethers.ZeroAddress, 1n]), 'ERC721InvalidReceiver');
  await both(nft, 'erc721 transferFrom 1 by the approved bob', bob, 'transferFrom', [alice.address, bob.address, 1n]);
  expectError(await both(nft, 'erc721 setApprovalForAll address(0)', alice, 'setApprovalForAll', [ethers.ZeroAddress, true]), 'ERC721InvalidOperator');
  await both(nft, 'erc721 setApprovalForAll carol', alice, 'setApprovalForAll', [carol.address, true]);
  await both(nft, 'erc721 approve by the operator carol', carol, 'approve', [bob.address, 2n]);
  await both(nft, 'erc721 transferFrom 2 by the operator carol', carol, 'transferFrom', [alice.address, carol.address, 2n]);
  await look('erc721 after transfers');
  const safe3 = 'safeTransferFrom(address,address,uint256)';
  const safe4 = 'safeTransferFrom(address,address,uint256,bytes)';
  await both(nft, 'erc721 safeTransferFrom 3 to an EOA', bob, safe3, [bob.address, alice.address, 3n]);
  for (const [mode, expected] of [[1n, 'ERC721InvalidReceiver'], [2n, 'Refused'], [3n, 'ERC721InvalidReceiver']]) {
    await (await receiver.setMode(mode)).wait();
    expectError(
      await both(nft, `erc721 safeTransferFrom to a receiver in mode ${mode}`, alice, safe4, [alice.address, receiverAddr, 3n, '0xc0ffee'], {}, withReceiver),
      expected,
    );
  }
  await (await receiver.setMode(0n)).wait();
  const accepted = await both(nft, 'erc721 safeTransferFrom 3 to an accepting receiver', alice, safe4, [alice.address, receiverAddr, 3n, '0xc0ffee'], {}, withReceiver);
  check(accepted.status === 1 && accepted.events.map((e) => e.event).join() === 'Transfer,Received', `events ${JSON.stringify(accepted.events)}`);
  const paid = await both(nft, 'erc721 mint with value (non-payable)', alice, 'mint', [alice.address, 7n], { value: 1n });
  check(paid.status === 0 && paid.call.data === '0x', `value to mint reverts with empty data: ${JSON.stringify(paid.call)}`);
  await look('erc721 at the end');
}

console.log('twins: all checks passed');
