import type { Clock, Random } from "./clock.js";
import type { Logger } from "./logger.js";

/*
 * The checks every factory makes of the options it shares with the others (`clock`, `random`,
 * `logger`, `mfaCodeProvider`, `env`), in one place so each rule and its message is written once. Each accepts
 * `undefined` (the option not given) and throws a TypeError naming the option otherwise.
 */

/** Throws unless `clock` is undefined or an object with a `now()` method. */
export function checkClock(clock: Clock | undefined): void {
  if (clock !== undefined && (typeof clock !== "object" || clock === null || typeof clock.now !== "function")) {
    throw new TypeError("Expected `clock` to be an object with a `now()` method");
  }
}

/** Throws unless `random` is undefined or a function. */
export function checkRandom(random: Random | undefined): void {
  if (random !== undefined && typeof random !== "function") {
    throw new TypeError("Expected `random` to be a function returning a number in [0, 1)");
  }
}

/** Throws unless `logger` is undefined or an object. */
export function checkLogger(logger: Logger | undefined): void {
  if (logger !== undefined && (typeof logger !== "object" || logger === null)) {
    throw new TypeError("Expected `logger` to be an object with optional `debug` and `warn` methods");
  }
}

/** Throws unless `mfaCodeProvider` is undefined or a function. */
export function checkMfaCodeProvider(mfaCodeProvider: ((mfaSerial: string) => Promise<string>) | undefined): void {
  if (mfaCodeProvider !== undefined && typeof mfaCodeProvider !== "function") {
    throw new TypeError("Expected `mfaCodeProvider` to be a function (mfaSerial) => Promise<string>");
  }
}

/** Throws unless `env` is undefined or an object. */
export function checkEnvObject(env: Readonly<Record<string, string | undefined>> | undefined): void {
  if (env !== undefined && (typeof env !== "object" || env === null)) {
    throw new TypeError("Expected `env` to be an object of environment variables");
  }
}
