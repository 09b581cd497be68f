// A bounded load test: CLIENTS concurrent clients (development accounts 2..), each sending
// PER transactions (Store.set and ETH transfers, pre-signed with explicit nonces) and an
// eth_call after each, over loopback. Prints one line `LOAD {json}`: transactions per
// second, p50/p99 latency (send to receipt; eth_call), errors.
import { ethers } from 'ethers';
import { CHAIN_ID, MNEMONIC, compileStore, rpcUrl } from './lib.mjs';

const clients = Number(process.argv[3] || 8);
const per = Number(process.argv[4] || 250);
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 50, batchMaxCount: 1 });
const dev = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
const store = compileStore();
const factory = new ethers.ContractFactory(store.abi, store.bytecode, dev(0));
const c = await factory.deploy(0);
await c.waitForDeployment();
const address = await c.getAddress();
const setData = (v) => c.interface.encodeFunctionData('set', [v]);
const valueData = c.interface.encodeFunctionData('value', []);
const fee = BigInt(await provider.send('eth_gasPrice', []));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const txLatency = [];
const callLatency = [];
let errors = 0;
let firstError = null;

async function client(k) {
  const wallet = dev(2 + k);
  const nonce = await provider.getTransactionCount(wallet.address);
  for (let j = 0; j < per; j++) {
    const tx = j % 2 === 0
      ? { to: address, data: setData(j % 1000), gasLimit: 100000n }
      : { to: '0x000000000000000000000000000000000000cafe', value: 1n, gasLimit: 21000n };
    const signed = await wallet.signTransaction({
      ...tx, nonce: nonce + j, chainId: CHAIN_ID, type: 2, maxFeePerGas: fee * 4n, maxPriorityFeePerGas: fee / 10n || 1n,
    });
    try {
      const t0 = performance.now();
      const hash = await provider.send('eth_sendRawTransaction', [signed]);
      for (let polls = 0; ; polls++) {
        const r = await provider.send('eth_getTransactionReceipt', [hash]);
        if (r) {
          if (r.status !== '0x1') throw new Error(`transaction ${hash} failed`);
          break;
        }
        if (polls > 5000) throw new Error(`no receipt for ${hash}`);
        await sleep(2);
      }
      txLatency.push(performance.now() - t0);
      const t1 = performance.now();
      await provider.send('eth_call', [{ to: address, data: valueData }, 'latest']);
      callLatency.push(performance.now() - t1);
    } catch (e) {
      errors += 1;
      firstError ??= e.shortMessage ?? e.message;
    }
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(2)) : null;
};
const start = performance.now();
await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
const seconds = (performance.now() - start) / 1000;
const head = await provider.getBlockNumber();
console.log('LOAD ' + JSON.stringify({
  clients, txs: txLatency.length, calls: callLatency.length, errors, firstError, seconds: Number(seconds.toFixed(2)),
  txPerSec: Number((txLatency.length / seconds).toFixed(1)),
  txP50Ms: pct(txLatency, 50), txP99Ms: pct(txLatency, 99), callP50Ms: pct(callLatency, 50), callP99Ms: pct(callLatency, 99),
  head,
}));
