import * as graphene from 'graphene-pk11';
import { KeyholdError } from '../../../shared/errors.js';
import { isRemovalError, tokenError } from './errors.js';
import type { Pkcs11Module } from './modules.js';
import { findToken, describeSelector, type TokenInfo, type TokenSelector } from './tokens.js';

/** Who logs in: the user (PIN), the security officer (SO PIN), or nobody (public objects only). */
export type LoginAs = 'user' | 'so' | 'none';

export interface SessionOptions {
  /**
   * The PIN, or a function asked for it only when a login is needed. Held only while the
   * operation runs (a JS string cannot be wiped; it is dropped as soon as the operation ends).
   * Omit it on a reader with a PIN pad: the reader asks.
   */
  pin?: string | (() => Promise<string>);
  loginAs?: LoginAs;
  readWrite?: boolean;
}

/** An open, logged-in session on one token, valid only inside `withTokenSession`'s callback. */
export interface TokenSession {
  readonly session: graphene.Session;
  readonly token: TokenInfo;
  readonly module: Pkcs11Module;
  /**
   * Context-specific login (CKU_CONTEXT_SPECIFIC) right after an operation's Init, for keys
   * with CKA_ALWAYS_AUTHENTICATE; uses the same PIN as the session login.
   */
  contextLogin(): void;
}

const userTypeOf = (as: LoginAs): graphene.UserType => (as === 'so' ? graphene.UserType.SO : graphene.UserType.USER);

/**
 * Opens a session on the selected token, logs in, runs `fn`, then logs out and closes the
 * session whatever happens. A failure that means the token was removed resets the module, so
 * the next call (after re-inserting the token) enumerates the slots afresh.
 */
export async function withTokenSession<T>(
  modules: readonly Pkcs11Module[],
  selector: TokenSelector,
  options: SessionOptions,
  fn: (s: TokenSession) => T | Promise<T>,
): Promise<T> {
  // One token operation at a time in this process: PKCS#11 login state is per application, so a
  // logout at the end of one operation would otherwise log out another one still running.
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => (release = r));
  await previous;
  active++;
  try {
    return await runSession(modules, selector, options, fn);
  } finally {
    active--;
    release();
  }
}

let queue: Promise<void> = Promise.resolve();
let active = 0;

/** True while a token session is open in this process (a watcher must not reset modules then). */
export function tokenSessionActive(): boolean {
  return active > 0;
}

async function runSession<T>(
  modules: readonly Pkcs11Module[],
  selector: TokenSelector,
  options: SessionOptions,
  fn: (s: TokenSession) => T | Promise<T>,
): Promise<T> {
  const loginAs = options.loginAs ?? 'user';
  const { module, slot, info } = findToken(modules, selector);
  const lockedFlag = loginAs === 'so' ? 'SO_PIN_LOCKED' : 'USER_PIN_LOCKED';
  if (loginAs !== 'none' && info.flags.includes(lockedFlag))
    throw new KeyholdError(
      'token',
      `the ${loginAs === 'so' ? 'SO ' : ''}PIN of token "${info.label}" is locked (too many wrong attempts)` +
        (loginAs === 'so' ? '' : '; the security officer must reset it'),
      { reason: 'Permission Denied' },
    );
  let pin: string | undefined;
  if (loginAs !== 'none' && !info.pinPad) {
    pin = typeof options.pin === 'function' ? await options.pin() : options.pin;
    if (pin === undefined || pin === '')
      throw new KeyholdError('token', `a PIN is needed to log in to token "${info.label}"`, {
        reason: 'Authentication Not Successful',
      });
  }
  let session: graphene.Session | undefined;
  let loggedIn = false;
  let step = `open a session on token "${info.label}"`;
  try {
    const flags =
      graphene.SessionFlag.SERIAL_SESSION | (options.readWrite === false ? 0 : graphene.SessionFlag.RW_SESSION);
    session = slot.open(flags);
    if (loginAs !== 'none') {
      step = `log in to token "${info.label}"`;
      try {
        // A PIN-pad reader (CKF_PROTECTED_AUTHENTICATION_PATH) takes a NULL PIN and asks itself.
        if (pin === undefined) session.lib.C_Login(session.handle, userTypeOf(loginAs));
        else session.login(pin, userTypeOf(loginAs));
      } catch (e) {
        if (!/CKR_USER_ALREADY_LOGGED_IN/.test(String(e))) throw e;
      }
      loggedIn = true;
    }
    step = `use token "${info.label}"`;
    const open = session;
    const contextPin = pin;
    const ts: TokenSession = {
      session: open,
      token: info,
      module,
      contextLogin: () => {
        try {
          if (contextPin === undefined) open.lib.C_Login(open.handle, graphene.UserType.CONTEXT_SPECIFIC);
          else open.login(contextPin, graphene.UserType.CONTEXT_SPECIFIC);
        } catch (e) {
          throw tokenError(e, `authenticate to a key on token "${info.label}"`);
        }
      },
    };
    return await fn(ts);
  } catch (e) {
    if (isRemovalError(e)) module.reset();
    throw tokenError(e, step);
  } finally {
    pin = undefined;
    if (session !== undefined) {
      try {
        if (loggedIn) session.logout();
      } catch {
        // Logging out of a removed token fails; the session is gone anyway.
      }
      try {
        session.close();
      } catch {
        // Same as above.
      }
    }
  }
}

/** Re-exported for callers that build messages about a selector. */
export { describeSelector };
