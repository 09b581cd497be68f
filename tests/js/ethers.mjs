// ethers v6, unchanged, against `zkos node`: a solc contract and WASM contracts (through
// wasm-deploy and through a raw transaction), calls across kinds, events, a custom error,
// gas estimates, ETH, snapshot/revert, impersonation.
import { ethers } from 'ethers';
import { join } from 'node:path';
import {
  CALLER_ABI, CHAIN_ID, COUNTER_ABI, MNEMONIC, check, compileStore, envelope, exampleWasm, rejects, root,
  rpcUrl, step, wasmDeploy,
} from './lib.mjs';

// ethers' provider answers an identical request made within 250 ms from its cache
// (`cacheTimeout`): on a chain that mines each transaction at once, the second of two
// transactions sent in a row would be signed with the first one's pending nonce. Scripts
// for anvil turn the cache off the same way (or count nonces with a NonceManager).
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 50, cacheTimeout: -1 });
const network = await provider.getNetwork();
check(network.chainId === BigInt(CHAIN_ID), `chain id ${network.chainId}`);
step('network', `chain id ${network.chainId}, block ${await provider.getBlockNumber()}`);

const dev = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
const wallet = dev(0);
const accounts = await provider.send('eth_accounts', []);
check(accounts.length >= 10 && ethers.getAddress(accounts[0]) === wallet.address, `eth_accounts ${accounts}`);
check((await provider.getBalance(wallet.address)) > ethers.parseEther('1000'), 'account 0 is funded');
step('development accounts', `${accounts.length}, first ${wallet.address}`);

// A solc contract, deployed through a raw transaction signed by ethers.
const store = compileStore();
const factory = new ethers.ContractFactory(store.abi, store.bytecode, wallet);
const storeC = await factory.deploy(3);
await storeC.waitForDeployment();
const storeAddr = await storeC.getAddress();
check((await storeC.value()) === 3n, 'Store.value() after the constructor');
step('solc contract deployed', `${storeAddr} (${store.compiler})`);

// A WASM contract through wasm-deploy (development account 1).
const counterFile = join(root, 'examples', 'out', 'counter.wasm');
const deployed = wasmDeploy(counterFile, ['--account', '1', '--constructor', 'constructor(uint256)', '5']);
check(/code hash\s+0x[0-9a-f]{64}/.test(deployed.report) && /deploy gas\s+\d+/.test(deployed.report), 'report');
const counter = new ethers.Contract(deployed.address, COUNTER_ABI, wallet);
check((await counter.get()) === 5n, 'counter.get() after the constructor');
const dtx = await provider.getTransactionReceipt(deployed.tx);
check(dtx.status === 1 && ethers.getAddress(dtx.contractAddress) === ethers.getAddress(deployed.address), 'receipt');
step('WASM contract deployed with wasm-deploy', deployed.address);

// The same module through a raw transaction: the envelope and its constructor arguments.
const args = ethers.AbiCoder.defaultAbiCoder().encode(['uint256'], [40]);
const rawTx = await wallet.sendTransaction({ data: envelope(exampleWasm('counter'), { args }) });
const rawReceipt = await rawTx.wait();
check(rawReceipt.status === 1 && rawReceipt.contractAddress, 'raw deployment receipt');
const counter2 = new ethers.Contract(rawReceipt.contractAddress, COUNTER_ABI, wallet);
check((await counter2.get()) === 40n, 'second counter starts at 40');
const code = await provider.getCode(rawReceipt.contractAddress);
check(code.startsWith('0xef5a0100'), `stored code is the envelope's header and code: ${code.slice(0, 10)}`);
step('WASM contract deployed by a raw transaction', rawReceipt.contractAddress);

// Solidity calls WASM: Store.bump(counter) increments the counter and reads it back.
check((await storeC.bump.staticCall(deployed.address)) === 6n, 'bump through eth_call');
const bump = await (await storeC.bump(deployed.address)).wait();
check(bump.status === 1 && (await counter.get()) === 6n, 'counter after Store.bump');
step('solidity -> WASM call', `counter = ${await counter.get()}`);

// WASM calls Solidity: the caller example forwards Store.set(7).
const callerDeployed = wasmDeploy(join(root, 'examples', 'out', 'caller.wasm'), ['--account', '1']);
const caller = new ethers.Contract(callerDeployed.address, CALLER_ABI, wallet);
const setData = storeC.interface.encodeFunctionData('set', [7]);
await (await caller.forward(storeAddr, 0, setData)).wait();
check((await storeC.value()) === 7n, 'Store.value() after the WASM caller forwarded set(7)');
step('WASM -> solidity call', `value = ${await storeC.value()}`);

// Events: the counter's Incremented (logged by WASM, caused by Solidity) and Store's Stored.
const incremented = counter.interface.getEvent('Incremented').topicHash;
const logs = await provider.getLogs({ address: deployed.address, topics: [incremented], fromBlock: 0 });
check(logs.length === 1, `one Incremented log, got ${logs.length}`);
const ev = counter.interface.parseLog(logs[0]);
check(ethers.getAddress(ev.args.by) === storeAddr && ev.args.value === 6n, `Incremented(${ev.args.by}, ${ev.args.value})`);
const stored = await storeC.queryFilter(storeC.filters.Stored(callerDeployed.address), 0);
check(stored.length === 1 && stored[0].args.value === 7n, 'Stored event with the WASM caller as the sender');
step('getLogs', `Incremented(by ${ev.args.by}, ${ev.args.value}), Stored(${stored[0].args.who}, 7)`);

// A custom error: directly, and bubbled up through the WASM caller.
const err = await rejects(() => storeC.set.staticCall(5000), 'set(5000)');
check(err.code === 'CALL_EXCEPTION', `error code ${err.code}`);
check(err.revert && err.revert.name === 'TooLarge', `decoded revert ${err.revert?.name}`);
check(err.revert.args[0] === 5000n && err.revert.args[1] === 1000n, 'TooLarge arguments');
check(/execution reverted/.test(err.message) || err.shortMessage.includes('reverted'), err.message);
// Sending it: the estimate fails first, with the revert data ethers hands back.
const sendErr = await rejects(() => storeC.set(5000), 'sending set(5000)');
check(sendErr.code === 'CALL_EXCEPTION', `send error code ${sendErr.code}`);
check(storeC.interface.parseError(sendErr.data)?.name === 'TooLarge', `send revert data ${sendErr.data}`);
const bubbled = await rejects(
  () => caller.forward.staticCall(storeAddr, 0, storeC.interface.encodeFunctionData('set', [2000])),
  'forward(set(2000))',
);
const data = bubbled.data ?? bubbled.info?.error?.data;
const parsed = storeC.interface.parseError(data);
check(parsed && parsed.name === 'TooLarge' && parsed.args[0] === 2000n, `bubbled ${data}`);
step('custom error', `TooLarge(${err.revert.args.join(', ')}), bubbled through WASM: TooLarge(${parsed.args.join(', ')})`);

// Gas estimates.
const estSet = await storeC.set.estimateGas(9);
const estInc = await counter.increment.estimateGas();
check(estSet > 21000n && estSet < 200000n, `estimate set ${estSet}`);
check(estInc > 21000n && estInc < 1000000n, `estimate increment ${estInc}`);
const incTx = await (await counter.increment({ gasLimit: estInc })).wait();
check(incTx.status === 1 && incTx.gasUsed <= estInc, `increment used ${incTx.gasUsed} of ${estInc}`);
step('estimateGas', `Store.set ${estSet}, counter.increment ${estInc} (used ${incTx.gasUsed})`);

// ETH: from a development account (eth_sendTransaction) and by a signed transfer.
const to = ethers.Wallet.createRandom().address;
const nodeSigner = await provider.getSigner(5);
await (await nodeSigner.sendTransaction({ to, value: ethers.parseEther('1.5') })).wait();
await (await wallet.sendTransaction({ to, value: ethers.parseEther('0.25') })).wait();
check((await provider.getBalance(to)) === ethers.parseEther('1.75'), 'recipient balance');
await (await wallet.sendTransaction({ to: storeAddr, value: 1000n })).wait();
check((await provider.getBalance(storeAddr)) === 1000n, 'Store received ETH');
step('send ETH', `${to} has ${ethers.formatEther(await provider.getBalance(to))} ETH`);

// Snapshot and revert.
const snap = await provider.send('evm_snapshot', []);
const before = await provider.getBlockNumber();
await (await storeC.set(42)).wait();
check((await storeC.value()) === 42n, 'value 42 after set');
check((await provider.send('evm_revert', [snap])) === true, 'evm_revert returned true');
check((await storeC.value()) === 7n, 'value back to 7 after evm_revert');
check((await provider.getBlockNumber()) === before, 'block number back after evm_revert');
step('evm_snapshot / evm_revert', `snapshot ${snap}, back at block ${before}`);

// Impersonation: send as an account whose key nobody has.
const whale = ethers.getAddress('0x' + '42'.repeat(20));
await provider.send('anvil_setBalance', [whale, ethers.toQuantity(ethers.parseEther('10'))]);
await provider.send('anvil_impersonateAccount', [whale]);
const imp = new ethers.JsonRpcSigner(provider, whale);
const impReceipt = await (await storeC.connect(imp).set(11)).wait();
check(ethers.getAddress(impReceipt.from) === whale && (await storeC.value()) === 11n, 'set(11) as the whale');
await provider.send('anvil_stopImpersonatingAccount', [whale]);
const refused = await rejects(() => storeC.connect(imp).set(12), 'set after stopImpersonatingAccount');
step('anvil_impersonateAccount', `${whale} set 11; refused after stopping: ${refused.error?.message ?? refused.info?.error?.message ?? refused.shortMessage}`);

console.log('ethers: all checks passed');
