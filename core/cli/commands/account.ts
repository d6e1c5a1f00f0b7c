/**
 * `floe init`: a new account — a 24-word recovery phrase shown once, kept in the keychain,
 * funded from the localnet faucet.
 */
import { generateRecoveryPhrase, deriveKeys } from '../../repo/keys.js';
import { suiNetwork } from '../../walrus/chain/networks.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openDataDir, openNetworkSession } from '../../session/session.js';

export async function initCommand(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length) throw new UsageError('usage: floe init');
  const session = await openDataDir(ctx);
  const existing = session.account();
  if (existing) {
    await session.close();
    throw new UsageError(
      `this machine already backs up as ${existing}; its phrase is in the keychain`,
    );
  }
  const phrase = generateRecoveryPhrase();
  const { address } = deriveKeys(phrase);
  const secrets = await session.secrets();
  await secrets.set(address, phrase);
  session.index.setSetting('account', address);
  await session.close();
  const net = await openNetworkSession(ctx);
  let funding: string;
  try {
    if (net.faucet) {
      await net.faucet(address);
      funding = "account funded from the local network's faucet";
    } else {
      const sui = suiNetwork(net.network);
      funding = `this account pays real ${net.network} fees: ${sui.funding.sui(address)}; ${sui.funding.wal(address)}`;
    }
  } finally {
    await net.close();
  }
  if (ctx.json) {
    ctx.out(JSON.stringify({ address, phrase, secretStore: secrets.kind, funding }));
  } else {
    ctx.out(`Your account: ${address}\n`);
    ctx.out('Your recovery phrase — write it down and keep it safe. It is shown only this once,');
    ctx.out('and it is the only way to restore your files on another computer:\n');
    const words = phrase.split(' ');
    for (let i = 0; i < 24; i += 4)
      ctx.out(
        '  ' +
          words
            .slice(i, i + 4)
            .map((w, j) => `${String(i + j + 1).padStart(2)}. ${w.padEnd(10)}`)
            .join(' '),
      );
    ctx.out(
      `\nKept in ${secrets.kind === 'keychain' ? 'the OS keychain' : 'an encrypted key file'}; ${funding}.`,
    );
  }
  return 0;
}
