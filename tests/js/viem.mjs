// viem, unchanged, against `zkos node`: a solc contract and a WASM contract (raw
// transaction), calls across kinds, events, a custom error, gas estimates, ETH,
// snapshot/revert, impersonation (a test client in anvil mode).
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createTestClient, createWalletClient, decodeErrorResult,
  defineChain, encodeAbiParameters, encodeFunctionData, getAddress, http, parseAbi, parseAbiItem, parseEther,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { CHAIN_ID, MNEMONIC, check, compileStore, envelope, exampleWasm, rejects, rpcUrl, step } from './lib.mjs';

const chain = defineChain({
  id: CHAIN_ID,
  name: 'zkos devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});
const transport = http(rpcUrl);
const pub = createPublicClient({ chain, transport, pollingInterval: 50 });
const account = mnemonicToAccount(MNEMONIC, { addressIndex: 3 });
const wallet = createWalletClient({ chain, transport, account });
const test = createTestClient({ chain, transport, mode: 'anvil' });

check((await pub.getChainId()) === CHAIN_ID, 'chain id');
step('network', `chain ${await pub.getChainId()}, block ${await pub.getBlockNumber()}`);

const counterAbi = parseAbi([
  'function increment()',
  'function get() view returns (uint256)',
  'event Incremented(address indexed by, uint256 value)',
]);

// A solc contract.
const store = compileStore();
const deployHash = await wallet.deployContract({ abi: store.abi, bytecode: store.bytecode, args: [3n] });
const storeAddr = (await pub.waitForTransactionReceipt({ hash: deployHash })).contractAddress;
check((await pub.readContract({ address: storeAddr, abi: store.abi, functionName: 'value' })) === 3n, 'value');
step('solc contract deployed', storeAddr);

// A WASM contract through a raw transaction (the envelope, constructor argument 100).
const args = encodeAbiParameters([{ type: 'uint256' }], [100n]);
const wasmHash = await wallet.sendTransaction({ data: envelope(exampleWasm('counter'), { args }) });
const wasmReceipt = await pub.waitForTransactionReceipt({ hash: wasmHash });
check(wasmReceipt.status === 'success' && wasmReceipt.contractAddress, 'WASM deployment');
const counter = wasmReceipt.contractAddress;
check((await pub.readContract({ address: counter, abi: counterAbi, functionName: 'get' })) === 100n, 'get() = 100');
step('WASM contract deployed by a raw transaction', counter);

// Solidity -> WASM.
const { request, result } = await pub.simulateContract({
  account, address: storeAddr, abi: store.abi, functionName: 'bump', args: [counter],
});
check(result === 101n, `simulated bump ${result}`);
const bumpReceipt = await pub.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
check(bumpReceipt.status === 'success', 'bump');
check((await pub.readContract({ address: counter, abi: counterAbi, functionName: 'get' })) === 101n, 'get() = 101');
step('solidity -> WASM call', 'counter = 101');

// Events.
const logs = await pub.getLogs({
  address: counter,
  event: parseAbiItem('event Incremented(address indexed by, uint256 value)'),
  fromBlock: 0n,
});
check(logs.length === 1 && getAddress(logs[0].args.by) === getAddress(storeAddr) && logs[0].args.value === 101n,
  `Incremented logs ${JSON.stringify(logs.map((l) => l.args), (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
step('getLogs', `Incremented(by ${logs[0].args.by}, ${logs[0].args.value})`);

// A custom error.
const err = await rejects(
  () => pub.simulateContract({ account, address: storeAddr, abi: store.abi, functionName: 'set', args: [5000n] }),
  'set(5000)',
);
check(err instanceof BaseError, 'a viem error');
const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
check(reverted && reverted.data?.errorName === 'TooLarge', `decoded ${reverted?.data?.errorName}`);
check(reverted.data.args[0] === 5000n && reverted.data.args[1] === 1000n, 'TooLarge arguments');
const raw = await rejects(
  () => pub.call({ account, to: storeAddr, data: encodeFunctionData({ abi: store.abi, functionName: 'set', args: [3000n] }) }),
  'eth_call set(3000)',
);
const rawData = raw.walk((e) => typeof e.data === 'string')?.data;
const decoded = decodeErrorResult({ abi: store.abi, data: rawData });
check(decoded.errorName === 'TooLarge' && decoded.args[0] === 3000n, `raw revert data ${rawData}`);
step('custom error', `TooLarge(${reverted.data.args.join(', ')})`);

// Gas estimates.
const est = await pub.estimateContractGas({ account, address: counter, abi: counterAbi, functionName: 'increment' });
check(est > 21000n && est < 1000000n, `estimate ${est}`);
step('estimateGas', `counter.increment ${est}`);

// ETH.
const to = getAddress('0x000000000000000000000000000000000000beef');
const before = await pub.getBalance({ address: to });
const sent = await wallet.sendTransaction({ to, value: parseEther('2') });
await pub.waitForTransactionReceipt({ hash: sent });
check((await pub.getBalance({ address: to })) - before === parseEther('2'), 'balance +2 ETH');
step('send ETH', '2 ETH');

// Snapshot and revert.
const id = await test.snapshot();
await pub.waitForTransactionReceipt({
  hash: await wallet.writeContract({ address: storeAddr, abi: store.abi, functionName: 'set', args: [77n] }),
});
check((await pub.readContract({ address: storeAddr, abi: store.abi, functionName: 'value' })) === 77n, '77');
await test.revert({ id });
check((await pub.readContract({ address: storeAddr, abi: store.abi, functionName: 'value' })) === 3n, 'back to 3');
step('snapshot / revert', id);

// Impersonation through the test client, sending with eth_sendTransaction.
const whale = getAddress('0x00000000000000000000000000000000000a11ce');
await test.setBalance({ address: whale, value: parseEther('5') });
await test.impersonateAccount({ address: whale });
const whaleWallet = createWalletClient({ chain, transport, account: whale });
const impHash = await whaleWallet.writeContract({ address: storeAddr, abi: store.abi, functionName: 'set', args: [9n] });
const impReceipt = await pub.waitForTransactionReceipt({ hash: impHash });
check(getAddress(impReceipt.from) === getAddress(whale), 'sent as the whale');
check((await pub.readContract({ address: storeAddr, abi: store.abi, functionName: 'value' })) === 9n, '9');
await test.stopImpersonatingAccount({ address: whale });
step('impersonateAccount', whale);

console.log('viem: all checks passed');
