// Imported first by the CLI: PKCS#11 signing runs on libuv's threadpool (pkcs11js C_SignAsync),
// whose default of 4 threads would cap concurrent signs below a token's session count and let a
// hung token starve fs and DNS. It must be sized before the pool is first used.
const DEFAULT_THREADPOOL_SIZE = 24;

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(DEFAULT_THREADPOOL_SIZE);
