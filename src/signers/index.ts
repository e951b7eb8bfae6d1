// The only module that knows which drivers exist: importing it registers them all.
import './file/driver.js';
import './gcpkms/driver.js';
import './pkcs11/driver.js';
import './awskms/driver.js';
import './hashivault/driver.js';
import './azurekms/driver.js';

export { openSigner, driverFor, registeredSchemes, type Driver, type OpenContext } from './registry.js';
export { parseKeyUri, type KeyUri } from './uri.js';
export type * from './contract.js';
export * from './capabilities.js';
export { BackendUnavailable, reportsHealth, type BackendState, type BackendStateChange, type HealthReporter } from './health.js';
export { setSignerTelemetry, sessionPools, type SignerTelemetry, type SessionPoolProbe } from './telemetry.js';
