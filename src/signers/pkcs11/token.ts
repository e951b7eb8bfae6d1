// Finding the slot of a token named by label, serial or slot id (RFC 7512 token, serial, slot-id),
// with an error that lists the tokens the module does have when the named one is absent.
import type pkcs11js from 'pkcs11js';
import { SignetError } from '../../lib/errors.js';
import { pkcs11Failure } from './errors.js';
import type { Pkcs11Lib } from './module.js';

const CKF_TOKEN_INITIALIZED = 0x400;

export interface TokenSelector {
  label?: string;
  serial?: string;
  slotId?: string;
}

export interface FoundToken {
  slot: Buffer;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  flags: number;
}

/** A slot handle as the decimal CK_SLOT_ID RFC 7512's slot-id uses. */
export function slotIdOf(slot: Buffer): string {
  return slot.length >= 8 ? slot.readBigUInt64LE(0).toString() : slot.readUInt32LE(0).toString();
}

export function describeSelector(s: TokenSelector): string {
  const parts = [];
  if (s.label !== undefined) parts.push(`label "${s.label}"`);
  if (s.serial !== undefined) parts.push(`serial ${s.serial}`);
  if (s.slotId !== undefined) parts.push(`slot-id ${s.slotId}`);
  return parts.length ? parts.join(' and ') : 'any label';
}

export function findToken(lib: Pkcs11Lib, selector: TokenSelector, modulePath: string): FoundToken {
  let tokens: FoundToken[];
  try {
    tokens = lib.C_GetSlotList(true).map((slot) => tokenOf(lib, slot));
  } catch (err) {
    throw pkcs11Failure(`cannot list the slots of ${modulePath}`, err);
  }
  const initialised = tokens.filter((t) => t.flags & CKF_TOKEN_INITIALIZED);
  const matches = initialised.filter(
    (t) =>
      (selector.label === undefined || t.label === selector.label) &&
      (selector.serial === undefined || t.serial === selector.serial) &&
      (selector.slotId === undefined || slotIdOf(t.slot) === selector.slotId),
  );
  const found = initialised.map((t) => `"${t.label}" (serial ${t.serial}, slot-id ${slotIdOf(t.slot)})`).join(', ') || 'none';
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new SignetError('CONFIG', `no token with ${describeSelector(selector)} in ${modulePath}; tokens found: ${found}; ${likelyCause(modulePath)}`);
  }
  throw new SignetError('CONFIG', `${matches.length} tokens match ${describeSelector(selector)} in ${modulePath}; name one by token=, serial= or slot-id= (found: ${found})`);
}

/** Where the module looks for tokens: the usual reason a token that exists is not found. */
function likelyCause(modulePath: string): string {
  if (/softhsm/i.test(modulePath)) {
    const conf = process.env.SOFTHSM2_CONF;
    return conf
      ? `SoftHSM reads its tokens from directories.tokendir in SOFTHSM2_CONF=${conf}: check that it points at the token's directory (signet softhsm init prints the export to use)`
      : 'SOFTHSM2_CONF is not set, so SoftHSM reads /etc/softhsm/softhsm2.conf: export SOFTHSM2_CONF=<the softhsm2.conf of your token> (signet softhsm init prints it)';
  }
  return "check the module's own configuration (for YubiHSM 2: yubihsm_pkcs11.conf and its connector URL; the module's configuration environment variable) and that the device is connected";
}

function tokenOf(lib: Pkcs11Lib, slot: Buffer): FoundToken {
  const info: pkcs11js.TokenInfo = lib.C_GetTokenInfo(slot);
  return {
    slot,
    label: info.label.trimEnd(),
    serial: info.serialNumber.trimEnd(),
    manufacturer: info.manufacturerID.trimEnd(),
    model: info.model.trimEnd(),
    flags: info.flags,
  };
}
